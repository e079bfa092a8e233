build-v/store/space.o: store/space.c store/space.h
store/space.h:
