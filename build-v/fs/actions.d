build-v/fs/actions.o: fs/actions.c fs/actions.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h lib/alarm.h lib/parse.h \
 lib/alarm_due.h lib/format.h
fs/actions.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
lib/alarm.h:
lib/parse.h:
lib/alarm_due.h:
lib/format.h:
