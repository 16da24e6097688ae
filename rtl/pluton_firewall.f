# pluton_firewall: the files it needs, in order (relative to rtl/); hard-macro models from rtl/models/ come first in simulation
pluton_prims.v
pluton_firewall.v
