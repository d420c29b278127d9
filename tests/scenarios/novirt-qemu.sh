# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu qemu64,-svm: a CPU with neither VMX nor SVM. The image must say so and
# end the run itself, cleanly: no exception, no panic, no hang, with HV_EXIT_NO_VIRT (2,
# arch/x86/platform.h).
DESC="no VMX/SVM: prints the 'no virtualization support' line, ends cleanly through the exit port with status 2"
PLATFORM=qemu
CPU=qemu64,-svm
CMDLINE="loglevel=info"
EXPECT_BOOT=0
TIMEOUT=30

check() {
	expect_banner
	expect '^virt: none: no virtualization support'
	reject '^virt: (svm|vmx)'
	expect_status 2
}
