"""The sync section (F4): bundles on the USB stick, offices and keys, conflicts."""
