#!/bin/sh
# The writer's group commit in process (tests/server/writer_test.c): 64
# threads, unique contiguous indices, batches, refusals one job at a time.
. "${SRCDIR:-.}/tests/server/lib.sh"
sqlite_only
"$CYD_BUILD/tests/writer_test" "$T" 64 40 && ok "writer_test" || bad "writer_test"
finish
