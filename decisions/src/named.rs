//! Enums whose values are written as names (in the lake, on the command line, in forms).

/// Declares an enum of named values with `ALL`, `as_str`, `Display` and `FromStr`, from one
/// list of its variants and their names, so that each is written once.
macro_rules! named_values {
    (
        $(#[$enum_meta:meta])*
        $kind:ident, $what:literal,
        [$($(#[$variant_meta:meta])* $variant:ident => $name:literal),+ $(,)?]
    ) => {
        $(#[$enum_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $kind {
            $($(#[$variant_meta])* $variant),+
        }

        impl $kind {
            pub const ALL: [$kind; [$($name),+].len()] = [$($kind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($kind::$variant => $name),+
                }
            }
        }

        impl ::std::fmt::Display for $kind {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $kind {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $kind::ALL
                    .into_iter()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| {
                        let known: Vec<&str> = $kind::ALL.iter().map(|value| value.as_str()).collect();
                        format!("unknown {} '{text}' (expected {})", $what, known.join(", "))
                    })
            }
        }
    };
}
