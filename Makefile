# SPDX-License-Identifier: MIT
# Build the hypervisor image, its GRUB ISO, the host unit tests, and run the scenarios.

BUILD    ?= build
CC       ?= gcc
HOSTCC   ?= gcc
OBJCOPY  ?= objcopy
JOBS     ?= 2
# V=1 shows full commands.
Q := $(if $(V),,@)

# Hypervisor core: everything under these directories goes into the image.
CORE_DIRS := boot arch vmm iommu
CORE_SRCS := $(sort $(shell find $(CORE_DIRS) -name '*.c' -o -name '*.S'))
CORE_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(CORE_SRCS))

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wno-unused-parameter
KCFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -fno-omit-frame-pointer -fno-strict-aliasing -fno-builtin -mno-red-zone \
            -mgeneral-regs-only -mno-sse -mno-mmx -mcmodel=small -m64 $(WARN) -I. -MMD -MP
KASFLAGS := -I. -m64 -MMD -MP -D__ASSEMBLY__
KLDFLAGS := -nostdlib -Wl,--build-id=none -static -no-pie -z max-page-size=0x1000 -z noexecstack -T linker.ld

.PHONY: all deps image guests iso run test unit manifests scenarios bench fuzz clean acpi-capture
# Keep the guests' objects (intermediate files of a pattern chain) between builds.
.SECONDARY:

all: image guests

deps:
	@bash tools/deps.sh

image: $(BUILD)/hv.elf $(BUILD)/hv32.elf

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two passes: the second adds a table of function names (in .rodata, after .text, so
# no code moves) that exception traces print.
$(BUILD)/hv.elf: $(CORE_OBJS) linker.ld tools/gensyms.sh
	@echo "  LD      $@"
	$(Q)bash tools/gensyms.sh - $(BUILD)/symtab0.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/symtab0.c -o $(BUILD)/symtab0.o
	$(Q)$(CC) $(KLDFLAGS) -o $(BUILD)/hv.pass1.elf $(CORE_OBJS) $(BUILD)/symtab0.o -lgcc
	$(Q)bash tools/gensyms.sh $(BUILD)/hv.pass1.elf $(BUILD)/symtab.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/symtab.c -o $(BUILD)/symtab.o
	$(Q)$(CC) $(KLDFLAGS) -o $@ $(CORE_OBJS) $(BUILD)/symtab.o -lgcc
	@bash tools/check-symbols.sh $(BUILD)/hv.pass1.elf $@
	@bash tools/check-image.sh $@

# QEMU's -kernel takes only 32-bit ELF multiboot(1) images.
$(BUILD)/hv32.elf: $(BUILD)/hv.elf
	$(Q)$(OBJCOPY) -O elf32-i386 $< $@

# ---- guests: small multiboot kernels that run as partitions ----
# Each tests/guests/NAME.c is linked with the partition runtime (guest-drivers/rt/) and
# the disk drivers (guest-drivers/blk/) into
# build/guests/NAME.elf, loaded at guest-physical 1 MiB by the hypervisor.
GUEST_RT_SRCS := $(sort $(wildcard guest-drivers/rt/*.c guest-drivers/rt/*.S)) vmm/format.c \
                 $(sort $(wildcard guest-drivers/blk/*.c guest-drivers/net/*.c \
                 guest-drivers/virtio/*.c))
GUEST_RT_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(GUEST_RT_SRCS))
GUESTS := $(patsubst tests/guests/%.c,$(BUILD)/guests/%.elf,$(wildcard tests/guests/*.c))
GCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
           -fno-omit-frame-pointer -fno-builtin -mno-red-zone -mgeneral-regs-only \
           -mcmodel=small -m64 $(WARN) -I. -MMD -MP -DHV_GUEST
GLDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -z max-page-size=0x1000 \
            -z noexecstack -T guest-drivers/rt/guest.ld

# The demo partitions: guest-drivers/demo/NAME.c -> build/guests/demo-NAME.elf, with the
# ring protocol (pvdev/) linked in.
DEMO_SRCS := $(sort $(wildcard guest-drivers/demo/*.c))
DEMOS := $(patsubst guest-drivers/demo/%.c,$(BUILD)/guests/demo-%.elf,$(DEMO_SRCS))
GUEST_PVDEV_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(sort $(wildcard pvdev/*.c)))

guests: $(GUESTS) $(DEMOS)

$(BUILD)/guests/demo-%.elf: $(BUILD)/guest/guest-drivers/demo/%.c.o $(GUEST_RT_OBJS) $(GUEST_PVDEV_OBJS) guest-drivers/rt/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(GLDFLAGS) -o $@ $< $(GUEST_RT_OBJS) $(GUEST_PVDEV_OBJS) -lgcc

$(BUILD)/guest/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	$(Q)$(CC) $(GCFLAGS) -c $< -o $@

$(BUILD)/guest/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	$(Q)$(CC) $(KASFLAGS) -DHV_GUEST -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guest/tests/guests/%.c.o $(GUEST_RT_OBJS) $(GUEST_PVDEV_OBJS) guest-drivers/rt/guest.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(GLDFLAGS) -o $@ $< $(GUEST_RT_OBJS) $(GUEST_PVDEV_OBJS) -lgcc

iso: $(BUILD)/hv.iso

$(BUILD)/hv.iso: $(BUILD)/hv.elf $(DEMOS) tools/mkiso.sh
	bash tools/mkiso.sh $@ $(BUILD)/hv.elf "loglevel=info" $(DEMO_MODULES)

# The default demo: tests/manifests/demo.hvm with the svc, ping, pong, store, web and client
# partitions (web and client run one image, netpeer).
DEMO_MODULES = manifest=tests/manifests/demo.hvm svc=$(BUILD)/guests/demo-svc.elf \
	ping=$(BUILD)/guests/demo-ping.elf pong=$(BUILD)/guests/demo-pong.elf \
	store=$(BUILD)/guests/demo-store.elf netpeer=$(BUILD)/guests/demo-netpeer.elf
# svc's disk 0, a virtio-blk disk (store's slice is its sectors 2048-10239); kept between
# runs, so the pattern store wrote can be looked at: tools/diskpat.py IMAGE 0:64:0x524f5453
# --offset 1048576.
DEMO_DISK = $(BUILD)/demo-disk.img
DEMO_DISK_QEMU = -drive file=$(DEMO_DISK),if=none,id=d0,format=raw \
	-device virtio-blk-pci,drive=d0,disable-legacy=on
# svc's NIC, the switch's uplink: QEMU's user network, with UDP port 5555 of the host's
# 127.0.0.1 forwarded to web (10.0.2.15:5555), which echoes what it gets.
DEMO_NET_QEMU = -netdev user,id=n0,hostfwd=udp:127.0.0.1:5555-10.0.2.15:5555 \
	-device virtio-net-pci,netdev=n0,disable-legacy=on

run: deps image guests
	bash tools/mkiso.sh $(BUILD)/hv.iso $(BUILD)/hv.elf "loglevel=info" $(DEMO_MODULES)
	@[ -f $(DEMO_DISK) ] || truncate -s 64M $(DEMO_DISK)
	bash tools/run-qemu.sh --iso $(BUILD)/hv.iso --smp 2 --extra "$(DEMO_DISK_QEMU) $(DEMO_NET_QEMU)" --interactive

# ---- host unit tests (cmocka, ASan/UBSan), built from the real sources ----
# tests/unit/test_X.c is linked with the project sources listed in tests/unit/test_X.srcs.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
UCFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter -I. -DHOST_TEST

UNIT_HDRS := $(wildcard tests/unit/*.h include/abi/*.h vmm/*.h pvdev/*.h iommu/*.h iommu/*/*.h \
	arch/x86/*.h guest-drivers/*/*.h tests/unit/fixtures/*/*.inc)
$(BUILD)/unit/%: tests/unit/%.c tests/unit/%.srcs $(shell cat tests/unit/*.srcs 2>/dev/null) $(UNIT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UCFLAGS) -o $@ $< $(shell cat tests/unit/$*.srcs) -lcmocka -pthread

unit: deps $(UNIT_TESTS)
	@bash tools/run-unit.sh $(UNIT_TESTS)

# ---- host tools ----
$(BUILD)/hvcheck: tools/hvcheck.c vmm/manifest.c vmm/manifest.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -o $@ tools/hvcheck.c vmm/manifest.c

# Fuzz the manifest parser with libFuzzer (clang), seeded with the example manifests,
# for FUZZ_SECONDS (default 60); not part of `make test`.
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz_manifest: tests/fuzz/fuzz_manifest.c vmm/manifest.c vmm/manifest.h
	@bash tools/deps.sh fuzz
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I. -o $@ tests/fuzz/fuzz_manifest.c vmm/manifest.c

fuzz: $(BUILD)/fuzz_manifest
	@mkdir -p $(BUILD)/fuzz/corpus
	@cp tests/manifests/*.hvm $(BUILD)/fuzz/corpus/
	$(BUILD)/fuzz_manifest -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus 2>&1 | tail -5

# Every example manifest: the good ones pass hvcheck, the bad ones fail where they say.
manifests: $(BUILD)/hvcheck
	@bash tools/check-manifests.sh $(BUILD)/hvcheck

scenarios: deps image guests
	@bash tools/scenarios.sh

test: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory manifests
	@$(MAKE) --no-print-directory image guests
	@bash tools/scenarios.sh

# Exit round-trip costs on each vCPU platform (not part of `make test`).
bench: deps image guests
	@bash tools/bench.sh

# Capture the emulators' ACPI tables as unit-test fixtures (developer tool).
acpi-capture: deps image
	bash tools/acpi-capture.sh

clean:
	rm -rf $(BUILD)

-include $(CORE_OBJS:.o=.d) $(GUEST_RT_OBJS:.o=.d) $(GUEST_PVDEV_OBJS:.o=.d) \
	$(patsubst %,$(BUILD)/guest/%.d,$(DEMO_SRCS) $(wildcard tests/guests/*.c))
