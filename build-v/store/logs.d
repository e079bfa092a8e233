build-v/store/logs.o: store/logs.c store/db.h store/store.h lib/caller.h \
 lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h lib/stats.h \
 lib/sketch.h lib/strbuf.h store/holds.h store/logs.h store/trail.h
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
store/holds.h:
store/logs.h:
store/trail.h:
