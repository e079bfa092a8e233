build-v/tests/unit/test_alarms: tests/unit/test_alarms.c lib/alarm.h \
 lib/err.h lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h \
 store/store.h lib/caller.h lib/units.h lib/metric_lines.h lib/timeutil.h
lib/alarm.h:
lib/err.h:
lib/parse.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/metric_lines.h:
lib/timeutil.h:
