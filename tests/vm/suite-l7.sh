#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The L7 suite, in the VM guest: tests/vm/suite-traffic.sh has it all.
exec bash "$(dirname "${BASH_SOURCE[0]}")/suite-traffic.sh" l7 "$@"
