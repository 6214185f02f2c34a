# SPDX-License-Identifier: GPL-2.0
#
# kgate top-level Makefile.
#
#   make            build the CLI and the module for the running kernel's headers
#   make check      install what is needed, build, run every test; ends "N passed, N failed"
#   make demo       boot a VM with the module, create services, show them, unload
#   make bench      control-plane, L4 and L7 benchmarks in the VM
#
# The module itself is described by Kbuild, which is what dkms builds.

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B	:= $(TOP)/build
KVER	?= $(shell uname -r)
KDIR	?= /lib/modules/$(KVER)/build
export KGATE_CACHE ?= /var/cache/kgate

.PHONY: all module modules clean userspace unit selftests lint dkms-check \
	vm-test check demo bench benchtools deps install

all: userspace module

# Build the module against KDIR into build/kmod/KVER: a copy of the sources
# per kernel, so that builds for several kernels never share objects.
module modules:
	@$(TOP)/tests/tools/build-module.sh "$(KDIR)" "$(B)/kmod/$(KVER)" $(KBUILD_EXTRA)

userspace:
	@$(MAKE) -s -C $(TOP)/userspace O=$(B)/userspace

unit:
	@$(MAKE) -s -C $(TOP)/tests/unit O=$(B)/unit run

selftests:
	@$(MAKE) -s -C $(TOP)/tests/selftests O=$(B)/selftests

benchtools:
	@$(MAKE) -s -C $(TOP)/tests/bench O=$(B)/benchtools

deps:
	@$(TOP)/tests/tools/deps.sh

lint:
	@$(TOP)/tests/tools/lint.sh

dkms-check:
	@$(TOP)/tests/tools/dkms-check.sh

vm-test: userspace selftests
	@$(TOP)/tests/vm/suites.sh

check:
	@$(TOP)/tests/tools/check.sh

demo:
	@$(TOP)/tests/tools/demo.sh

bench:
	@$(TOP)/tests/bench/run.sh

clean:
	rm -rf $(B)
