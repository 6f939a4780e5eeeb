"""Seed the emulated clouds with a realistic, insecure "before" estate."""
