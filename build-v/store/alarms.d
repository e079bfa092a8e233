build-v/store/alarms.o: store/alarms.c store/alarms.h lib/alarm.h \
 lib/err.h lib/parse.h lib/stats.h lib/sketch.h lib/strbuf.h \
 store/store.h lib/caller.h lib/units.h lib/metric_lines.h lib/timeutil.h \
 store/db.h store/named.h store/trail.h lib/format.h
store/alarms.h:
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
store/db.h:
store/named.h:
store/trail.h:
lib/format.h:
