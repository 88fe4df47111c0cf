# skippable: virtio-mem on a kernel with the PG_offline_skippable fixture
# patch; its fake-offline pages carry PG_offline_skippable (PG_owner_2).
ask vmem-plugged
ask vmem-shrink
report
ask dump
