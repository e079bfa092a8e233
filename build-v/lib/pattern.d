build-v/lib/pattern.o: lib/pattern.c lib/pattern_impl.h lib/err.h \
 lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:
