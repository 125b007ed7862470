//! Who runs the console, as the operating system knows them: the uid, the passwd entry's name
//! (which a process cannot change by setting a variable), and `$USER` for what it is worth.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsUser {
    pub uid: u32,
    /// The passwd entry's name of `uid`; None when there is no entry (a container's uid).
    pub passwd_name: Option<String>,
    /// `$USER`, which anyone may set: kept beside the others, never alone.
    pub env_user: Option<String>,
}

impl OsUser {
    pub fn current() -> Self {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        Self {
            uid,
            passwd_name: passwd_name(uid),
            env_user: std::env::var("USER").ok().filter(|u| !u.is_empty()),
        }
    }

    /// The one name to show: the passwd name, else `uid N` (never `$USER` alone).
    pub fn label(&self) -> String {
        match &self.passwd_name {
            Some(n) => n.clone(),
            None => format!("uid {}", self.uid),
        }
    }
}

/// The name of `uid`'s passwd entry, if it has one.
fn passwd_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: `pwd` and `result` are valid for writes, `buf` is valid for `buf.len()` bytes
        // and outlives every use of the pointers getpwuid_r stores in `pwd`.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: getpwuid_r succeeded, so pw_name points to a NUL-terminated string in `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return Some(crate::model::text::clean(&name.to_string_lossy()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_user_has_a_uid_and_a_label() {
        let u = OsUser::current();
        // SAFETY: as above.
        assert_eq!(u.uid, unsafe { libc::getuid() });
        assert!(!u.label().is_empty());
        // root always has an entry on the machines the tests run on; others may not.
        if u.uid == 0 {
            assert_eq!(u.passwd_name.as_deref(), Some("root"));
        }
    }
}
