# balloon: the host inflates virtio-balloon; inflated pages are PageOffline.
ask balloon
report
ask dump
