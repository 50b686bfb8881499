public enum OddsModelPlaceholder {}
