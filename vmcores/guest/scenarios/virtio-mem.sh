# virtio-mem: the device plugs its initial requested-size, then the host
# shrinks it so that sub-blocks inside online blocks become PageOffline.
ask vmem-plugged
ask vmem-shrink
report
ask dump
