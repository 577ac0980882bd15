//! Lantern's synthetic demo world.
