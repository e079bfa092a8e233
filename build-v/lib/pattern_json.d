build-v/lib/pattern_json.o: lib/pattern_json.c lib/pattern_impl.h \
 lib/err.h lib/pattern.h
lib/pattern_impl.h:
lib/err.h:
lib/pattern.h:
