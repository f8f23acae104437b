//! The WebSocket feed end to end (being written).
