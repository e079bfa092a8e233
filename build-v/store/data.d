build-v/store/data.o: store/data.c store/db.h store/store.h lib/caller.h \
 lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h lib/stats.h \
 lib/sketch.h lib/strbuf.h store/filters.h store/logs.h store/owner.h \
 store/rollups.h store/trail.h lib/parse.h
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
store/filters.h:
store/logs.h:
store/owner.h:
store/rollups.h:
store/trail.h:
lib/parse.h:
