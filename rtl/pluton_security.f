# pluton_security: the files it needs, in order (relative to rtl/); hard-macro models from rtl/models/ come first in simulation
pluton_prims.v
pluton_firewall.v
pluton_sha256.v
pluton_otp.v
pluton_wifi.v
pluton_security.v
