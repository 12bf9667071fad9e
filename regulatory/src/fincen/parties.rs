//! The parties every FinCEN batch activity carries (transmitter, its contact, the filing
//! institution, its contact office, the transaction location) and the subject's common parts.
//! Elements are written in the order of the schemas' sequences, which CTR and SAR share.

use crate::fincen::{digits, fincen_text};
use crate::records::Subject;
use crate::settings::{Address, RegulatorySettings};
use crate::xml::XmlDocument;

/// FinCEN party type codes.
pub const TRANSMITTER: &str = "35";
pub const TRANSMITTER_CONTACT: &str = "37";
pub const FILING_INSTITUTION: &str = "30";
pub const CONTACT_OFFICE: &str = "8";
pub const TRANSACTION_LOCATION: &str = "34";

/// Party identification type codes.
const TIN: &str = "4";
const EIN: &str = "2";
const TRANSMITTER_CONTROL_CODE: &str = "28";

/// Writes the five institution parties of an activity; returns how many parties it wrote.
pub fn institution_parties(document: &mut XmlDocument, settings: &RegulatorySettings) -> usize {
    let transmitter = &settings.transmitter;
    let filer = &settings.filer;

    document.open_numbered("Party");
    document.leaf("ActivityPartyTypeCode", TRANSMITTER);
    full_name(document, &transmitter.name);
    address(document, &transmitter.address);
    phone(document, &transmitter.phone);
    identification(document, &transmitter.tin, TIN);
    identification(document, &transmitter.tcc, TRANSMITTER_CONTROL_CODE);
    document.close();

    document.open_numbered("Party");
    document.leaf("ActivityPartyTypeCode", TRANSMITTER_CONTACT);
    full_name(document, &transmitter.contact_name);
    document.close();

    for code in [FILING_INSTITUTION, TRANSACTION_LOCATION] {
        document.open_numbered("Party");
        document.leaf("ActivityPartyTypeCode", code);
        document.leaf("PrimaryRegulatorTypeCode", &filer.primary_regulator);
        full_name(document, &filer.name);
        address(document, &filer.address);
        identification(document, &filer.ein, EIN);
        document.open_numbered("OrganizationClassificationTypeSubtype");
        document.leaf("OrganizationTypeID", &filer.organization_type.to_string());
        document.close();
        document.close();
    }

    document.open_numbered("Party");
    document.leaf("ActivityPartyTypeCode", CONTACT_OFFICE);
    full_name(document, &filer.contact_office);
    phone(document, &filer.contact_phone);
    document.close();
    5
}

/// The legal name of an institution or office.
fn full_name(document: &mut XmlDocument, name: &str) {
    document.open_numbered("PartyName");
    document.leaf("PartyNameTypeCode", "L");
    document.leaf("RawPartyFullName", &fincen_text(name, 150));
    document.close();
}

fn address(document: &mut XmlDocument, address: &Address) {
    document.open_numbered("Address");
    document.leaf("RawCityText", &fincen_text(&address.city, 50));
    document.leaf("RawCountryCodeText", &fincen_text(&address.country, 2));
    document.leaf("RawStateCodeText", &fincen_text(&address.state, 3));
    document.leaf("RawStreetAddress1Text", &fincen_text(&address.street, 100));
    document.leaf("RawZIPCode", &digits(&address.zip, 9));
    document.close();
}

fn phone(document: &mut XmlDocument, number: &str) {
    document.open_numbered("PhoneNumber");
    document.leaf("PhoneNumberText", &digits(number, 16));
    document.close();
}

fn identification(document: &mut XmlDocument, number: &str, type_code: &str) {
    document.open_numbered("PartyIdentification");
    document.leaf("PartyIdentificationNumberText", &fincen_text(number, 25));
    document.leaf("PartyIdentificationTypeCode", type_code);
    document.close();
}

/// The subject's fields of the party header that follow its type code, up to (not including)
/// the cash amounts of a CTR: birth date, or that it is unknown.
pub fn subject_birth_date(document: &mut XmlDocument, subject: &Subject) {
    if subject.is_business {
        return;
    }
    match subject.date_of_birth {
        Some(date) => document.leaf(
            "IndividualBirthDateText",
            &date.format("%Y%m%d").to_string(),
        ),
        None => document.leaf("BirthDateUnknownIndicator", "Y"),
    }
}

/// The subject's entity indicator, in the party header after the amounts.
pub fn subject_entity_indicator(document: &mut XmlDocument, subject: &Subject) {
    if subject.is_business {
        document.leaf("PartyAsEntityOrganizationIndicator", "Y");
    }
}

/// The subject's name, address, phone, identification and occupation elements.
pub fn subject_details(document: &mut XmlDocument, subject: &Subject) {
    document.open_numbered("PartyName");
    let (first, last) = subject.first_and_last_name();
    if last.is_none() {
        document.leaf("EntityLastNameUnknownIndicator", "Y");
    }
    if first.is_none() && !subject.is_business {
        document.leaf("FirstNameUnknownIndicator", "Y");
    }
    document.leaf("PartyNameTypeCode", "L");
    if let Some(last) = &last {
        document.leaf("RawEntityIndividualLastName", &fincen_text(last, 150));
    }
    if let Some(first) = &first {
        document.leaf("RawIndividualFirstName", &fincen_text(first, 35));
    }
    document.close();

    document.open_numbered("Address");
    if subject.city.is_none() {
        document.leaf("CityUnknownIndicator", "Y");
    }
    if subject.country.is_none() {
        document.leaf("CountryCodeUnknownIndicator", "Y");
    }
    if let Some(city) = &subject.city {
        document.leaf("RawCityText", &fincen_text(city, 50));
    }
    if let Some(country) = &subject.country {
        document.leaf("RawCountryCodeText", &fincen_text(country, 2));
    }
    if let Some(street) = &subject.street {
        document.leaf("RawStreetAddress1Text", &fincen_text(street, 100));
    }
    // The lake holds no state or ZIP code of customers.
    document.leaf("StateCodeUnknownIndicator", "Y");
    if subject.street.is_none() {
        document.leaf("StreetAddressUnknownIndicator", "Y");
    }
    document.leaf("ZIPCodeUnknownIndicator", "Y");
    document.close();

    if let Some(number) = &subject.phone {
        phone(document, number);
    }
    // No taxpayer identification number is kept in the lake.
    document.open_numbered("PartyIdentification");
    document.leaf("TINUnknownIndicator", "Y");
    document.close();
    if let Some(occupation) = &subject.occupation {
        document.open_numbered("PartyOccupationBusiness");
        document.leaf("OccupationBusinessText", &fincen_text(occupation, 50));
        document.close();
    }
}

/// An account the activity moved money through, with how it was involved.
pub fn account(document: &mut XmlDocument, number: &str, association_code: &str) {
    document.open_numbered("Account");
    document.leaf("AccountNumberText", &fincen_text(number, 40));
    document.open_numbered("PartyAccountAssociation");
    document.leaf("PartyAccountAssociationTypeCode", association_code);
    document.close();
    document.close();
}
