public enum OriginPlaceholder {}
