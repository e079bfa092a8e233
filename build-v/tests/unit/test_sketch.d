build-v/tests/unit/test_sketch: tests/unit/test_sketch.c lib/sketch.h
lib/sketch.h:
