build-v/tests/unit/test_handle: tests/unit/test_handle.c fs/handle.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h
fs/handle.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
