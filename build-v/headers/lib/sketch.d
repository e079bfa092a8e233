build-v/headers/lib/sketch.o: build-v/headers/lib/sketch.c lib/sketch.h
lib/sketch.h:
