build-v/store/owner.o: store/owner.c store/db.h store/store.h \
 lib/caller.h lib/units.h lib/err.h lib/metric_lines.h lib/timeutil.h \
 lib/stats.h lib/sketch.h lib/strbuf.h store/owner.h store/trail.h \
 lib/perm.h
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
store/owner.h:
store/trail.h:
lib/perm.h:
