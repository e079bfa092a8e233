build-v/store/trail.o: store/trail.c store/db.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h lib/format.h store/holds.h \
 store/trail.h
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
lib/format.h:
store/holds.h:
store/trail.h:
