//! The README's key table must not drift from the key map.

use deckwatch::keys::Keymap;

#[test]
fn every_binding_is_documented_in_the_readme() {
    let readme = include_str!("../../README.md");
    for b in Keymap::default().normal() {
        assert!(
            readme.contains(b.help),
            "README.md does not mention {:?} ({})",
            b.help,
            b.label
        );
    }
}
