build-v/store/alarms.o: store/alarms.c store/db.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h store/named.h store/trail.h \
 lib/alarm.h lib/parse.h lib/format.h lib/perm.h
store/db.h:
store/store.h:
lib/caller.h:
lib/units.h:
lib/err.h:
lib/metric_lines.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
lib/strbuf.h:
store/named.h:
store/trail.h:
lib/alarm.h:
lib/parse.h:
lib/format.h:
lib/perm.h:
