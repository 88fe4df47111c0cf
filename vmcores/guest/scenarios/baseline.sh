# baseline: the kernel as booted, nothing changed.
report
ask dump
