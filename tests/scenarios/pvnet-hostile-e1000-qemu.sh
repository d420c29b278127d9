# SPDX-License-Identifier: MIT
# A hostile pvnet front end next to two good ones (pvnet-hostile.hvm), the uplink an
# e1000 NIC (INTx): tests/scenarios/pvnet.inc.
DESC="pvnet-hostile.hvm, e1000 (QEMU): h forges b's, broadcast and zero source MACs (each SPOOFED, dropped, counted), sends every class of malformed descriptor (each its status, counted), floods its transmit ring for 8 s, then jumps its producer index: netback shuts h-net down with one log line; meanwhile a pings b (200 requests, 8 in flight) with every reply back, during the flood; a-net and b-net drop nothing"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-hostile.hvm
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:57"
PVNET_EXTRA_GUESTS=(nethostile)
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_status 0
	expect_pvnet_ping a b 200
	expect_pvnet_svc 'e1000 00:05\.0' interrupt a-net b-net h-net
	expect_pvnet_switch_pair a-net b-net 200
	pvnet_no_shutdowns a-net b-net
	# h: each forged source and malformed descriptor got its status; the flood was answered.
	reject '^\[h\] (FAIL|rt: )'
	expect '^\[h\] summary: [1-9][0-9]* passed, 0 failed$'
	expect '^guest: h exited status=0 '
	# The switch dropped and counted them on h's port; the jump shut h-net down, logged once.
	expect_pvnet_port h-net spoof 3 1000000
	expect_pvnet_port h-net malformed 5 1000000
	expect_range '^\[svc\] netback: status h-net: ' spoofed 3 1000000
	expect_range '^\[svc\] netback: status h-net: ' bad_type 1 1000
	expect_range '^\[svc\] netback: status h-net: ' short 1 1000
	expect_range '^\[svc\] netback: status h-net: ' long 1 1000
	expect_range '^\[svc\] netback: status h-net: ' data 1 1000
	expect_field '^\[svc\] netback: status h-net: ' shutdowns 1
	expect_count '^\[svc\] netback: channel h-net: front end published an impossible ring index' 1
	# a's pings went through while h flooded.
	expect_order '^\[h\] nethostile: flood start ' '^\[a\] netchild: ping ' '^\[h\] nethostile: flood end '
	expect_order '^\[h\] nethostile: jump: ' '^\[svc\] netback: channel h-net: front end published' \
		'^\[svc\] netsvc: all front ends ended'
	pvnet_figures
}
