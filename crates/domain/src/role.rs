//! Roles (SPEC §1) and what each may do. Jurisdiction is separate: a scope on the user.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Admin,
    AreaOfficer,
    GridWorker,
    CheckpointStaff,
    MedicalStaff,
    EnterpriseContact,
    Inspector,
    Citizen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum Capability {
    ReadPersons,
    WritePersons,
    ReadKeyPersons,
    CreateKeyPersons,
    TransitionKeyPersons,
    ReadAreas,
    ReadTasks,
    ReadAudit,
    ManageUsers,
    ManageSettings,
    ManageVenues,
    RecordPassages,
    ReadPassages,
    /// Record home follow-up visits and temperatures (一二三工作法).
    RecordFollowUps,
    /// Open and run epidemiological investigations (流调): points, contacts, signature.
    Investigate,
    /// See and work the tracing tasks (close-contact candidates) of one's jurisdiction.
    TraceContacts,
    /// Import big-data comparison lists (大数据比对) and read their progress.
    ImportLists,
    /// See and verify the leads (线索) of one's jurisdiction.
    VerifyLeads,
}

impl Role {
    pub fn may(self, capability: Capability) -> bool {
        use Capability::*;
        match self {
            Role::Admin => true,
            Role::AreaOfficer => !matches!(capability, ReadAudit | ManageUsers | ManageSettings),
            Role::CheckpointStaff => matches!(capability, ReadAreas | RecordPassages | ReadPassages),
            Role::GridWorker => matches!(
                capability,
                ReadPersons
                    | WritePersons
                    | ReadKeyPersons
                    | CreateKeyPersons
                    | ReadAreas
                    | ReadTasks
                    | ManageVenues
                    | RecordFollowUps
                    | TraceContacts
                    | VerifyLeads
            ),
            Role::MedicalStaff => {
                matches!(
                    capability,
                    ReadPersons
                        | ReadKeyPersons
                        | TransitionKeyPersons
                        | ReadAreas
                        | ReadTasks
                        | RecordFollowUps
                        | Investigate
                        | TraceContacts
                )
            }
            Role::Inspector => {
                matches!(capability, ReadPersons | ReadKeyPersons | ReadAreas | ReadTasks | ReadPassages)
            }
            Role::EnterpriseContact => capability == ReadAreas,
            Role::Citizen => false,
        }
    }
}

impl crate::Label for Role {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Role::Admin => ("指挥部管理员", "Command admin"),
            Role::AreaOfficer => ("区域干部", "Area officer"),
            Role::GridWorker => ("网格员", "Grid worker"),
            Role::CheckpointStaff => ("卡口值守", "Checkpoint staff"),
            Role::MedicalStaff => ("医疗/隔离点人员", "Medical / site staff"),
            Role::EnterpriseContact => ("企业联络员", "Enterprise contact"),
            Role::Inspector => ("督查组", "Inspector"),
            Role::Citizen => ("群众", "Citizen"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;
    use crate::Label;

    #[test]
    fn the_matrix() {
        // Columns in declaration order: a new capability without its column fails the length check.
        let capabilities = <Capability as strum::VariantArray>::VARIANTS;
        // Rows in `Role::ALL` order, columns in `Capability` declaration order.
        let expected: [[u8; 18]; 8] = [
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], // admin
            [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], // area officer
            [1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1], // grid worker
            [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], // checkpoint staff
            [1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0], // medical staff
            [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // enterprise contact
            [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], // inspector
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // citizen
        ];
        assert_eq!(capabilities.len(), expected[0].len(), "a column per capability");
        for (role, row) in Role::ALL.iter().copied().zip(expected) {
            for (capability, allowed) in capabilities.iter().copied().zip(row) {
                assert_eq!(role.may(capability), allowed == 1, "{role} {capability:?}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert!(!role.label_zh().is_empty() && !role.label_en().is_empty());
        }
        assert!(Role::parse("root").unwrap_err().to_string().contains("area_officer"));
    }
}
