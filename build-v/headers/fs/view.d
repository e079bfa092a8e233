build-v/headers/fs/view.o: build-v/headers/fs/view.c fs/view.h lib/err.h \
 lib/timeutil.h lib/stats.h lib/sketch.h
fs/view.h:
lib/err.h:
lib/timeutil.h:
lib/stats.h:
lib/sketch.h:
