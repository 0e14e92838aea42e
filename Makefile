# SPDX-License-Identifier: GPL-2.0
#
# PUMA: cooperative page cache for virtual machines.
#
#   make                 puma/puma.ko and tools/pumactl/pumactl
#   make KDIR=<dir>      build the module against other kernel headers
#   make demo            boot guests and show PUMA at work
#   make check           lint, KUnit, the guest selftests and the benchmarks'
#                        smoke test (what CI runs)
#   make check-full      make check with every variant on both kernels
#   make bench-smallget  one-page gets against a 100-IOPS disk, with figures
#   make lint | kunit | selftests | shell | clean
#
# Every target that needs packages or kernel images calls scripts/deps.sh,
# so a fresh Debian 12 machine needs no manual step.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
DEPS := bash $(TOP)/scripts/deps.sh

# The running kernel's build dir if it has one, else Debian 6.1's headers.
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(shell if [ -d $(RUNNING_KDIR) ]; then echo $(RUNNING_KDIR); \
	  else $(DEPS) --print-kdir 6.1; fi)

.PHONY: all deps module pumactl lint kunit selftests check check-full demo \
	bench-smallget shell clean help

all: module pumactl

deps:
	@$(DEPS)

# Building needs only compilers and headers: the guest kernels are
# fetched only when KDIR is not there (the default fallback lives in the
# cache that deps.sh fills).
module:
	@if [ -d "$(KDIR)" ]; then $(DEPS) build; else $(DEPS); fi
	$(MAKE) -C $(KDIR) M=$(TOP) modules

pumactl:
	@$(DEPS) build
	$(MAKE) -C $(TOP)/tools/pumactl

lint: deps
	@bash $(TOP)/scripts/lint.sh

kunit: deps
	@bash $(TOP)/scripts/kunit.sh

selftests: deps
	@bash $(TOP)/scripts/selftests.sh

check: deps
	@bash $(TOP)/scripts/check.sh

check-full: deps
	@PUMA_CHECK_FULL=1 bash $(TOP)/scripts/check.sh

demo: deps
	@bash $(TOP)/scripts/demo.sh

bench-smallget: deps
	@bash $(TOP)/scripts/bench-smallget.sh

shell: deps
	@bash $(TOP)/scripts/shell.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C $(TOP)/tools/pumactl clean
	rm -rf $(TOP)/build

help:
	@sed -n '3,15p' $(TOP)/Makefile | sed 's/^# \{0,1\}//'
