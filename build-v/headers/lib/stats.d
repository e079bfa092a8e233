build-v/headers/lib/stats.o: build-v/headers/lib/stats.c lib/stats.h \
 lib/sketch.h
lib/stats.h:
lib/sketch.h:
