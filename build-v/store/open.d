build-v/store/open.o: store/open.c store/checkpoint.h store/db.h \
 store/store.h lib/caller.h lib/units.h lib/err.h lib/metric_lines.h \
 lib/timeutil.h lib/stats.h lib/sketch.h lib/strbuf.h store/schema.h \
 store/space.h store/trail.h
store/checkpoint.h:
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
store/schema.h:
store/space.h:
store/trail.h:
