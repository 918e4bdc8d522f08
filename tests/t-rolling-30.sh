#!/usr/bin/env bash
# t-rolling on CloudStack 3.0 (resource_state carries both the toggle and maintenance:
# each child hands the column back for maintenance; cancel-maintenance returns it).
ROLLING_VERSION=3.0
. "$TOP_SRCDIR/tests/t-rolling.sh"
