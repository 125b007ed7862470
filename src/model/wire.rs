//! Domain states that arrive as strings (from AWS, GitHub or the demo fleet). Each is parsed
//! once at the backend's edge into an enum; a value this version does not know stays visible
//! as `Other(text)` instead of being guessed into a known one.

/// Declares a wire enum: its known values with their wire spelling, plus `Other(String)`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, as it was sent.
            Other(String),
        }

        impl $name {
            /// The value for a wire string; unknown strings are kept as `Other`, cleaned.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Other($crate::model::text::clean(other)),
                }
            }

            /// The wire spelling, as AWS writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }

            /// The value as words (`AWAITING_ACTION`, `in_progress`: `awaiting action`,
            /// `in progress`), for sentences; never the enum's own name.
            pub fn words(&self) -> String {
                self.as_str().replace('_', " ").to_lowercase()
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    wire_enum!(Sample { One = "ONE", Two = "TWO" });

    #[test]
    fn known_values_round_trip_and_unknown_ones_stay_visible() {
        assert_eq!(Sample::parse("ONE"), Sample::One);
        assert_eq!(Sample::parse("TWO").as_str(), "TWO");
        let odd = Sample::parse("THREE");
        assert_eq!(odd, Sample::Other("THREE".into()));
        assert_eq!(odd.to_string(), "THREE");
        assert_eq!(Sample::One.words(), "one");
        wire_enum!(Hook { Awaiting = "AWAITING_ACTION" });
        assert_eq!(Hook::Awaiting.words(), "awaiting action");
    }
}
