# pluton_m0sys: the files it needs, in order (relative to rtl/); hard-macro models from rtl/models/ come first in simulation
pluton_prims.v
pluton_m0.v
pluton_uart.v
pluton_sha256.v
pluton_m0sys.v
