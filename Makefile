# SPDX-License-Identifier: GPL-2.0
#
# kgate top-level Makefile.
#
#   make            build the CLI and the module for the running kernel's headers
#   make check      install what is needed, build, run every test; ends "N passed, N failed"
#   make demo       boot a VM with the module, create services, show them, unload
#   make bench      control-plane, L4, L7 and apply benchmarks in the VM
#   make install    module source for dkms, the CLI, kgated, its unit, config
#                   and man pages (DESTDIR=DIR: only lay the files out in DIR)
#   make uninstall  undo make install
#
# The module itself is described by Kbuild, which is what dkms builds.

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
B	:= $(TOP)/build
KVER	?= $(shell uname -r)
KDIR	?= /lib/modules/$(KVER)/build
export KGATE_CACHE ?= /var/cache/kgate

.PHONY: all module modules clean userspace unit selftests lint dkms-check \
	vm-test check demo bench benchtools deps install uninstall

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

# ---- make install / make uninstall -------------------------------------
#
# Variables as packagers expect them; DESTDIR set means a staging root:
# the files are laid out (or removed) under it and neither dkms nor
# systemctl is called.  Without DESTDIR, install also adds, builds and
# installs the module with dkms for KVER (default the running kernel).
prefix		?= /usr
sbindir		?= $(prefix)/sbin
sysconfdir	?= /etc
unitdir		?= /lib/systemd/system
mandir		?= $(prefix)/share/man
man8dir		?= $(mandir)/man8
usrsrcdir	?= /usr/src
INSTALL		?= install
DKMS		?= dkms
SYSTEMCTL	?= systemctl

# The version is dkms.conf's: dkms finds the source by it.
KGATE_VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
I_ROOT		:= $(patsubst %/,%,$(DESTDIR))
I_SRC		:= $(DESTDIR)$(usrsrcdir)/kgate-$(KGATE_VERSION)
I_CONF		:= $(DESTDIR)$(sysconfdir)/kgate
I_DIRS		:= $(DESTDIR)$(sbindir) $(DESTDIR)$(unitdir) $(DESTDIR)$(man8dir) \
		   $(I_CONF)/manifests
I_FILES		:= $(DESTDIR)$(sbindir)/kgate $(DESTDIR)$(sbindir)/kgated \
		   $(DESTDIR)$(unitdir)/kgated.service \
		   $(DESTDIR)$(man8dir)/kgate.8 $(DESTDIR)$(man8dir)/kgated.8
# The unit and the default configuration name the installed paths.
I_SUBST		:= sed -e 's|/usr/sbin/|$(sbindir)/|g' \
		   -e 's|/etc/kgate|$(sysconfdir)/kgate|g'
DKMS_MOD	:= -m kgate -v $(KGATE_VERSION)
# systemctl only where systemd runs (not in a chroot or a container build).
SYSTEMD_UP	:= test -d /run/systemd/system

install: userspace
	@test -n "$(KGATE_VERSION)" || { echo "install: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	@for f in $(B)/userspace/kgate $(B)/userspace/kgated \
		  $(TOP)/userspace/kgated/kgated.yaml; do \
		test -f "$$f" || { echo "install: $$f missing" >&2; exit 1; }; \
	done
	rm -rf $(I_SRC)
	$(INSTALL) -d -m 0755 $(I_DIRS) $(I_SRC)
	cp -R $(TOP)/Kbuild $(TOP)/Makefile $(TOP)/dkms.conf $(TOP)/kmod \
		$(TOP)/include $(I_SRC)/
	$(INSTALL) -m 0755 $(B)/userspace/kgate $(B)/userspace/kgated \
		$(DESTDIR)$(sbindir)/
	$(I_SUBST) $(TOP)/userspace/systemd/kgated.service \
		>$(DESTDIR)$(unitdir)/kgated.service
	chmod 0644 $(DESTDIR)$(unitdir)/kgated.service
	$(INSTALL) -m 0644 $(TOP)/man/kgate.8 $(TOP)/man/kgated.8 \
		$(DESTDIR)$(man8dir)/
	@if [ -e $(I_CONF)/kgated.yaml ]; then \
		echo "install: keeping $(I_CONF)/kgated.yaml"; \
	else \
		echo "install: $(I_CONF)/kgated.yaml"; \
		$(I_SUBST) $(TOP)/userspace/kgated/kgated.yaml \
			>$(I_CONF)/kgated.yaml && \
		chmod 0644 $(I_CONF)/kgated.yaml; \
	fi
ifeq ($(DESTDIR),)
	if $(DKMS) status $(DKMS_MOD) | grep -q .; then \
		$(DKMS) remove $(DKMS_MOD) --all; fi
	$(DKMS) add $(DKMS_MOD) --sourcetree $(usrsrcdir)
	$(DKMS) build $(DKMS_MOD) -k $(KVER) --sourcetree $(usrsrcdir)
	$(DKMS) install $(DKMS_MOD) -k $(KVER) --sourcetree $(usrsrcdir)
	@if $(SYSTEMD_UP); then $(SYSTEMCTL) daemon-reload; fi
	@echo "install: done; start kgated with: systemctl enable --now kgated"
endif

# The service stops first; the configuration goes only if it is still the
# default one (with DESTDIR: always); a manifest directory that is not
# empty stays.  With DESTDIR, every directory install made, and its
# parents up to DESTDIR, goes if empty.
uninstall:
ifeq ($(DESTDIR),)
	@if $(SYSTEMD_UP); then $(SYSTEMCTL) disable --now kgated.service || true; fi
	if $(DKMS) status $(DKMS_MOD) | grep -q .; then \
		$(DKMS) remove $(DKMS_MOD) --all; fi
endif
	rm -f $(I_FILES)
	rm -rf $(I_SRC)
	@if [ -n "$(DESTDIR)" ] || { [ -f $(I_CONF)/kgated.yaml ] && \
		$(I_SUBST) $(TOP)/userspace/kgated/kgated.yaml | \
		cmp -s - $(I_CONF)/kgated.yaml; }; then \
		rm -f $(I_CONF)/kgated.yaml; \
	elif [ -e $(I_CONF)/kgated.yaml ]; then \
		echo "uninstall: keeping $(I_CONF)/kgated.yaml (changed)"; \
	fi
ifeq ($(DESTDIR),)
	@rmdir $(I_CONF)/manifests $(I_CONF) 2>/dev/null || true
	@if $(SYSTEMD_UP); then $(SYSTEMCTL) daemon-reload; fi
else
	@for d in $(I_DIRS) $(I_CONF) $(DESTDIR)$(usrsrcdir); do \
		while [ "$$d" != "$(I_ROOT)" ] && \
			[ "$${d#$(I_ROOT)/}" != "$$d" ] && \
			rmdir "$$d" 2>/dev/null; do \
			d=$$(dirname "$$d"); \
		done; \
	done
endif
