//! Who may do what: the one policy function every mutation goes through.
//! Roles are per org membership; actions are everything that changes or reveals
//! non-public data. A new action must be added here, and the table test below
//! makes its rights explicit for every role.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Editor,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?} (owner, admin, editor or viewer)"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read the unpublished draft and the revision history.
    ViewDraft,
    /// Change the draft.
    EditDraft,
    /// Freeze the draft into a public revision.
    Publish,
    /// Invite members and change roles below owner.
    ManageMembers,
    /// Grant or revoke the owner role.
    ManageOwners,
    /// Create and revoke API tokens.
    ManageTokens,
    /// Read the audit log of privileged writes.
    ViewAudit,
    /// Read subscribers (personal data), their objections and the outbox.
    ViewSubscribers,
    /// Upload document files, read document requests and downloads, approve or deny.
    ManageDocuments,
    /// Read vulnerability reports and acknowledge them.
    HandleReports,
    /// Answer data-subject requests: export or erase one person's data.
    HandlePrivacyRequests,
    /// Take away everything the org holds, as one archive.
    ExportOrg,
    /// Change org settings (notice period, host names, …).
    ManageSettings,
    /// Delete the org and everything in it.
    DeleteOrg,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::ViewDraft,
        Action::EditDraft,
        Action::Publish,
        Action::ManageMembers,
        Action::ManageOwners,
        Action::ManageTokens,
        Action::ViewAudit,
        Action::ViewSubscribers,
        Action::ManageDocuments,
        Action::HandleReports,
        Action::HandlePrivacyRequests,
        Action::ExportOrg,
        Action::ManageSettings,
        Action::DeleteOrg,
    ];
}

/// The policy. Deny unless a rule below allows.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Owner => true,
        Role::Admin => matches!(
            action,
            ViewDraft
                | EditDraft
                | Publish
                | ManageMembers
                | ManageTokens
                | ViewAudit
                | ViewSubscribers
                | ManageDocuments
                | HandleReports
                | HandlePrivacyRequests
                | ManageSettings
        ),
        Role::Editor => matches!(action, ViewDraft | EditDraft),
        Role::Viewer => matches!(action, ViewDraft),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out: changing a right means changing this table.
    #[test]
    fn every_role_and_action_matches_the_table() {
        #[rustfmt::skip]
        let table: &[(Action, [bool; 4])] = &[
            //                       owner  admin  editor viewer
            (Action::ViewDraft,      [true, true,  true,  true ]),
            (Action::EditDraft,      [true, true,  true,  false]),
            (Action::Publish,        [true, true,  false, false]),
            (Action::ManageMembers,  [true, true,  false, false]),
            (Action::ManageOwners,   [true, false, false, false]),
            (Action::ManageTokens,   [true, true,  false, false]),
            (Action::ViewAudit,      [true, true,  false, false]),
            (Action::ViewSubscribers, [true, true, false, false]),
            (Action::ManageDocuments, [true, true, false, false]),
            (Action::HandleReports,  [true, true,  false, false]),
            (Action::HandlePrivacyRequests, [true, true, false, false]),
            (Action::ExportOrg,      [true, false, false, false]),
            (Action::ManageSettings, [true, true,  false, false]),
            (Action::DeleteOrg,      [true, false, false, false]),
        ];
        assert_eq!(
            table.len(),
            Action::ALL.len(),
            "an action is missing from the table"
        );
        for (action, rights) in table {
            for (role, expected) in Role::ALL.into_iter().zip(rights) {
                assert_eq!(allows(role, *action), *expected, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn roles_parse_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
