"""The foundation every layer may use: plain constants and helpers with no dependency on
the rest of the project (../shared/DESIGN.md, docs/architecture.md)."""
