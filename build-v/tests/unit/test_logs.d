build-v/tests/unit/test_logs: tests/unit/test_logs.c lib/timeutil.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/stats.h lib/sketch.h lib/strbuf.h
lib/timeutil.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
