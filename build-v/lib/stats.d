build-v/lib/stats.o: lib/stats.c lib/stats.h lib/sketch.h
lib/stats.h:
lib/sketch.h:
