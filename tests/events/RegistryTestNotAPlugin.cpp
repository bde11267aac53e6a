// A shared library that is no hepkit events plugin (no hepkit_events_register): RegistryTest
// checks that loading it is an error naming the library.
extern "C" int some_other_function() {
    return 42;
}
