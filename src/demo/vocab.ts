// Invented vocabulary for generated spend files: the service areas, expense types and kinds of payee that
// UK councils, police forces, fire authorities, NHS commissioners and housing associations really use,
// written from general knowledge of local government finance (SeRCOP-style subjective groups). No row,
// name or value here is copied from any published file.

/** The subjective group an expense type belongs to (CIPFA SeRCOP headings). */
export type ExpenseCategory =
  | 'Employees'
  | 'Premises'
  | 'Transport'
  | 'Supplies and Services'
  | 'Third Party Payments'
  | 'Transfer Payments'
  | 'Capital';

/** The kind of payee an expense type is paid to; each trade has its own pool of generated suppliers. */
export type Trade =
  | 'agency' | 'training' | 'media' | 'building' | 'energy' | 'water' | 'cleaning' | 'property' | 'council'
  | 'security' | 'grounds' | 'vehicles' | 'fuel' | 'transport' | 'materials' | 'furniture' | 'ict' | 'telecoms'
  | 'print' | 'post' | 'consultancy' | 'legal' | 'catering' | 'membership' | 'insurance' | 'voluntary'
  | 'uniform' | 'care_home' | 'home_care' | 'fostering' | 'contractor' | 'waste' | 'highways' | 'leisure'
  | 'health' | 'individual' | 'landlord' | 'company' | 'construction' | 'forensic' | 'interpreting'
  | 'police_force' | 'animal' | 'fire_equipment' | 'nhs_trust' | 'gp' | 'pharmacy' | 'retail';

export interface ExpenseDef {
  name: string;
  category: ExpenseCategory;
  /** What the money bought, in the words a finance system uses (the LGA "Purpose"). */
  purposes: string[];
  trade: Trade;
  /** log10 of the typical amount in pounds, and its spread (log-normal amounts). */
  mu: number;
  sigma: number;
  /** Standard-rated for VAT (20%); false for exempt or outside the scope (care, benefits, grants, rates). */
  vat: boolean;
  capital?: boolean;
  /** Share of lines paid by procurement card. */
  card?: number;
  /** Share of lines in whole pounds (grants, fees, allowances). */
  round?: number;
  /** Share of lines whose payee is withheld as personal information. */
  redact?: number;
}

const E = (
  name: string, category: ExpenseCategory, trade: Trade, mu: number, sigma: number, vat: boolean,
  purposes: string[], extra: Partial<ExpenseDef> = {},
): ExpenseDef => ({ name, category, trade, mu, sigma, vat, purposes, ...extra });

export const EXPENSES: readonly ExpenseDef[] = [
  // Employees (pay itself is never in a spend file; what surrounds it is)
  E('Agency Staff', 'Employees', 'agency', 3.0, 0.45, true, ['Agency Staff', 'Interim Cover', 'Temporary Staff Cover', 'Locum Cover']),
  E('Training', 'Employees', 'training', 2.5, 0.5, true, ['Staff Training', 'Course Fees', 'Conference Fees', 'Professional Qualifications'], { card: 0.3 }),
  E('Recruitment Advertising', 'Employees', 'media', 2.7, 0.4, true, ['Job Advertisements', 'Recruitment Campaign']),
  E('Occupational Health', 'Employees', 'health', 2.4, 0.5, false, ['Occupational Health Assessments', 'Employee Assistance']),
  // Premises
  E('Repairs and Maintenance', 'Premises', 'building', 2.8, 0.7, true, ['Responsive Repairs', 'Planned Maintenance', 'Roofing Repairs', 'Electrical Works', 'Plumbing Works', 'Lift Maintenance']),
  E('Electricity', 'Premises', 'energy', 3.0, 0.8, true, ['Electricity Supply', 'Street Lighting Energy']),
  E('Gas', 'Premises', 'energy', 2.8, 0.8, true, ['Gas Supply']),
  E('Water Charges', 'Premises', 'water', 2.4, 0.7, false, ['Water and Sewerage Charges']),
  E('Cleaning and Domestic Supplies', 'Premises', 'cleaning', 2.6, 0.6, true, ['Contract Cleaning', 'Janitorial Supplies', 'Window Cleaning', 'Washroom Services']),
  E('Rents', 'Premises', 'property', 3.6, 0.6, true, ['Office Rent', 'Ground Rent', 'Service Charges'], { round: 0.5 }),
  E('Business Rates', 'Premises', 'council', 3.3, 0.6, false, ['National Non-Domestic Rates'], { round: 0.2 }),
  E('Security Services', 'Premises', 'security', 2.8, 0.6, true, ['Security Patrols', 'Alarm Monitoring', 'CCTV Maintenance', 'Key Holding']),
  E('Grounds Maintenance', 'Premises', 'grounds', 2.8, 0.6, true, ['Grass Cutting', 'Tree Works', 'Grounds Maintenance', 'Weed Control']),
  // Transport
  E('Vehicle Hire', 'Transport', 'vehicles', 2.9, 0.5, true, ['Short Term Vehicle Hire', 'Contract Hire', 'Plant Hire']),
  E('Fuel', 'Transport', 'fuel', 3.0, 0.6, true, ['Diesel', 'Fuel Cards', 'Bulk Fuel'], { card: 0.15 }),
  E('Vehicle Repairs and Maintenance', 'Transport', 'vehicles', 2.5, 0.6, true, ['Vehicle Parts', 'Tyres', 'Vehicle Servicing', 'MOT Testing'], { card: 0.1 }),
  E('Passenger Transport', 'Transport', 'transport', 3.0, 0.6, true, ['Home to School Transport', 'Taxi Contracts', 'Community Transport', 'Coach Hire']),
  // Supplies and services
  E('Operational Materials', 'Supplies and Services', 'materials', 2.1, 0.7, true, ['Operational Materials', 'Tools and Equipment', 'Consumables', 'Protective Clothing'], { card: 0.25 }),
  E('Equipment and Furniture', 'Supplies and Services', 'furniture', 2.6, 0.6, true, ['Office Furniture', 'Equipment Purchase', 'Equipment Maintenance'], { card: 0.15 }),
  E('ICT Software and Licences', 'Supplies and Services', 'ict', 3.3, 0.9, true, ['Software Licences', 'Software Support', 'Cloud Hosting', 'System Maintenance']),
  E('ICT Hardware', 'Supplies and Services', 'ict', 2.9, 0.7, true, ['Laptops', 'Network Equipment', 'Printers', 'Peripherals'], { card: 0.1 }),
  E('Telephones and Mobile Data', 'Supplies and Services', 'telecoms', 2.7, 0.6, true, ['Mobile Phones', 'Line Rental', 'Data Connections']),
  E('Printing and Stationery', 'Supplies and Services', 'print', 2.2, 0.6, true, ['Printing', 'Stationery', 'Leaflets', 'Photocopier Charges'], { card: 0.2 }),
  E('Postage', 'Supplies and Services', 'post', 2.8, 0.6, false, ['Postage', 'Franking', 'Courier Services']),
  E('Professional Fees', 'Supplies and Services', 'consultancy', 3.3, 0.7, true, ['Professional Fees', 'Surveyors Fees', 'Valuation Fees', 'Audit Fees']),
  E('Consultancy', 'Supplies and Services', 'consultancy', 3.7, 0.6, true, ['Consultancy', 'Specialist Advice', 'Feasibility Study']),
  E('Legal Fees', 'Supplies and Services', 'legal', 3.2, 0.7, true, ['Legal Fees', 'Counsel Fees', 'Court Fees'], { round: 0.3 }),
  E('Catering and Provisions', 'Supplies and Services', 'catering', 2.3, 0.6, true, ['Catering Provisions', 'Food Supplies', 'Refreshments'], { card: 0.35 }),
  E('Subscriptions', 'Supplies and Services', 'membership', 2.7, 0.6, false, ['Memberships', 'Subscriptions', 'Professional Body Fees'], { round: 0.5, card: 0.2 }),
  E('Insurance', 'Supplies and Services', 'insurance', 3.8, 0.8, false, ['Insurance Premiums', 'Insurance Claims Excess']),
  E('Advertising and Publicity', 'Supplies and Services', 'media', 2.6, 0.6, true, ['Public Notices', 'Marketing', 'Publicity Materials']),
  E('Grants to Voluntary Organisations', 'Supplies and Services', 'voluntary', 3.5, 0.6, false, ['Community Grants', 'Service Level Agreement', 'Voluntary Sector Grant'], { round: 0.6 }),
  E('Clothing and Uniforms', 'Supplies and Services', 'uniform', 2.6, 0.5, true, ['Uniforms', 'Workwear', 'Safety Footwear']),
  // Third party payments
  E('Residential Care', 'Third Party Payments', 'care_home', 3.5, 0.5, false, ['Residential Care Older People', 'Residential Care Learning Disabilities', 'Respite Care']),
  E('Nursing Care', 'Third Party Payments', 'care_home', 3.6, 0.5, false, ['Nursing Care Placements']),
  E('Home Care', 'Third Party Payments', 'home_care', 3.5, 0.6, false, ['Home Care', 'Domiciliary Care', 'Reablement']),
  E('Supported Living', 'Third Party Payments', 'home_care', 3.7, 0.5, false, ['Supported Living', 'Extra Care Housing']),
  E('Day Care Services', 'Third Party Payments', 'home_care', 3.0, 0.6, false, ['Day Opportunities', 'Day Care']),
  E('Independent Fostering Agencies', 'Third Party Payments', 'fostering', 3.7, 0.4, false, ['Independent Fostering Placements']),
  E('Children\'s Residential Placements', 'Third Party Payments', 'care_home', 4.2, 0.4, false, ['External Residential Placements', 'Secure Accommodation']),
  E('Payments to Other Local Authorities', 'Third Party Payments', 'council', 4.0, 0.9, false, ['Joint Arrangements', 'Recharges', 'Shared Service Contributions']),
  E('Private Contractors', 'Third Party Payments', 'contractor', 3.3, 0.8, true, ['Contracted Services', 'Sub-Contractors', 'Specialist Contractors']),
  E('Waste Disposal Contract', 'Third Party Payments', 'waste', 4.2, 0.6, true, ['Landfill Tax', 'Recycling Processing', 'Gate Fees', 'Clinical Waste Collection']),
  E('Highways Maintenance Contract', 'Third Party Payments', 'highways', 3.8, 0.8, true, ['Resurfacing', 'Pothole Repairs', 'Gully Cleansing', 'Winter Gritting', 'Road Markings']),
  E('Leisure Management Contract', 'Third Party Payments', 'leisure', 4.3, 0.4, true, ['Leisure Centre Management Fee', 'Swimming Pool Operation']),
  E('Public Health Services', 'Third Party Payments', 'health', 3.8, 0.7, false, ['Sexual Health Services', 'Substance Misuse Treatment', 'Health Checks', 'Stop Smoking Service']),
  // Transfer payments (mostly to people: their names are withheld)
  E('Direct Payments', 'Transfer Payments', 'individual', 2.8, 0.5, false, ['Direct Payments', 'Personal Budgets'], { redact: 0.9, round: 0.4 }),
  E('Housing Benefit Payments', 'Transfer Payments', 'landlord', 2.5, 0.45, false, ['Housing Benefit', 'Rent Allowance'], { redact: 0.6 }),
  E('Foster Carer Allowances', 'Transfer Payments', 'individual', 2.6, 0.3, false, ['Fostering Allowances', 'Special Guardianship Allowances'], { redact: 0.95 }),
  E('Discretionary Housing Payments', 'Transfer Payments', 'individual', 2.5, 0.5, false, ['Discretionary Housing Payment'], { redact: 0.9, round: 0.5 }),
  E('Council Tax Refunds', 'Transfer Payments', 'individual', 2.2, 0.5, false, ['Council Tax Refunds', 'Overpayment Refunds'], { redact: 0.95 }),
  E('Business Grants', 'Transfer Payments', 'company', 3.6, 0.5, false, ['Business Support Grants', 'Shop Front Grants'], { round: 0.9 }),
  // Capital
  E('Disabled Facilities Grants', 'Capital', 'building', 3.8, 0.4, false, ['Disabled Facilities Adaptations', 'Stairlifts', 'Level Access Showers'], { capital: true }),
  E('Capital Works', 'Capital', 'construction', 4.4, 0.7, true, ['Building Works', 'Refurbishment', 'New Build', 'Retention Release'], { capital: true }),
  E('Land and Property Acquisition', 'Capital', 'legal', 5.3, 0.5, false, ['Property Purchase', 'Land Purchase'], { capital: true, round: 0.8 }),
  E('Vehicle Purchase', 'Capital', 'vehicles', 4.4, 0.5, true, ['Vehicle Purchase', 'Refuse Collection Vehicles', 'Fleet Replacement'], { capital: true }),
  // Police
  E('Forensic Science Services', 'Supplies and Services', 'forensic', 3.3, 0.6, true, ['Forensic Analysis', 'DNA Testing', 'Toxicology', 'Digital Forensics']),
  E('Custody Healthcare', 'Third Party Payments', 'health', 4.3, 0.4, false, ['Custody Healthcare Contract', 'Forensic Medical Examiners']),
  E('Interpreters and Translation', 'Supplies and Services', 'interpreting', 2.3, 0.5, true, ['Interpreters', 'Translation Services']),
  E('Radio and Airtime Charges', 'Supplies and Services', 'telecoms', 4.3, 0.6, true, ['Radio Airtime', 'Emergency Services Network']),
  E('Mutual Aid', 'Third Party Payments', 'police_force', 4.0, 0.8, false, ['Mutual Aid', 'Regional Collaboration Contribution']),
  E('Vehicle Recovery', 'Transport', 'vehicles', 2.2, 0.4, true, ['Vehicle Recovery', 'Vehicle Storage']),
  E('Police Dogs', 'Supplies and Services', 'animal', 2.4, 0.5, true, ['Kennelling', 'Veterinary Fees', 'Dog Food']),
  E('Commissioned Victim Services', 'Third Party Payments', 'voluntary', 4.0, 0.6, false, ['Victim Support Services', 'Domestic Abuse Services', 'Restorative Justice']),
  E('Body Armour and Protective Equipment', 'Supplies and Services', 'uniform', 3.2, 0.5, true, ['Body Armour', 'Protective Equipment']),
  // Fire
  E('Fire Appliance Maintenance', 'Transport', 'fire_equipment', 2.9, 0.6, true, ['Appliance Servicing', 'Pump Testing', 'Ladder Testing']),
  E('Breathing Apparatus', 'Supplies and Services', 'fire_equipment', 3.3, 0.6, true, ['Breathing Apparatus Servicing', 'Cylinders']),
  E('Firefighting Equipment', 'Supplies and Services', 'fire_equipment', 3.0, 0.6, true, ['Hose and Branches', 'Rescue Equipment', 'Hydraulic Rescue Tools']),
  E('Personal Protective Equipment', 'Supplies and Services', 'uniform', 3.2, 0.5, true, ['Firefighter Kit', 'Helmets', 'Fire Gloves']),
  E('Home Fire Safety Equipment', 'Supplies and Services', 'fire_equipment', 3.1, 0.5, true, ['Smoke Alarms', 'Fire Retardant Bedding', 'Safety Equipment']),
  E('Hydrant Maintenance', 'Premises', 'contractor', 2.7, 0.5, true, ['Hydrant Repairs', 'Hydrant Inspections']),
  E('Mobilising Systems', 'Supplies and Services', 'ict', 4.0, 0.6, true, ['Control Room Systems', 'Mobilising Software']),
  // NHS commissioner
  E('Acute Services', 'Third Party Payments', 'nhs_trust', 6.0, 0.3, false, ['Acute Contract', 'Elective Activity', 'Urgent and Emergency Care']),
  E('Community Services', 'Third Party Payments', 'nhs_trust', 5.5, 0.4, false, ['Community Services Contract', 'Community Nursing']),
  E('Mental Health Services', 'Third Party Payments', 'nhs_trust', 5.6, 0.4, false, ['Mental Health Contract', 'Improving Access to Psychological Therapies']),
  E('GP Practice Payments', 'Third Party Payments', 'gp', 4.4, 0.5, false, ['Global Sum', 'Enhanced Services', 'Premises Reimbursement']),
  E('Prescribing', 'Third Party Payments', 'pharmacy', 3.3, 0.7, false, ['Prescribing', 'Medicines Optimisation']),
  E('Continuing Healthcare', 'Third Party Payments', 'care_home', 3.5, 0.5, false, ['Continuing Healthcare Packages', 'Fast Track Packages']),
  E('Funded Nursing Care', 'Third Party Payments', 'care_home', 3.2, 0.4, false, ['Funded Nursing Care']),
  E('Independent Sector Healthcare', 'Third Party Payments', 'health', 4.2, 0.7, false, ['Independent Sector Activity', 'Diagnostics']),
  E('Patient Transport Services', 'Third Party Payments', 'transport', 4.0, 0.5, false, ['Non-Emergency Patient Transport']),
  // Housing association
  E('Responsive Repairs', 'Premises', 'building', 2.6, 0.6, true, ['Day to Day Repairs', 'Emergency Repairs']),
  E('Void Works', 'Premises', 'building', 3.2, 0.5, true, ['Void Property Works', 'Void Clearance']),
  E('Gas Servicing', 'Premises', 'building', 3.2, 0.6, true, ['Gas Safety Checks', 'Boiler Replacement']),
  E('Estate Services', 'Premises', 'grounds', 2.8, 0.6, true, ['Communal Cleaning', 'Estate Grounds Maintenance']),
  E('Tenancy Support Services', 'Third Party Payments', 'voluntary', 3.3, 0.5, false, ['Tenancy Sustainment', 'Floating Support']),
  E('Planned Investment', 'Capital', 'construction', 4.0, 0.6, true, ['Kitchen Replacements', 'Bathroom Replacements', 'Window Replacements', 'Roof Replacements'], { capital: true }),
];

export const EXPENSE_BY_NAME: ReadonlyMap<string, ExpenseDef> = new Map(EXPENSES.map((e) => [e.name, e]));

export interface ServiceDef {
  /** Directorate or organisational unit. */
  unit: string;
  /** Service area / cost centre label. */
  name: string;
  weight: number;
  /** Expense types typical of this service (drawn most of the time, the rest from the general list). */
  expenses: string[];
}

export interface ProfileDef {
  services: ServiceDef[];
  /** Expense types any service may incur, with weights. */
  general: [string, number][];
  /** Share of lines drawn from the service's own expense types. */
  specificShare: number;
}

export type BodyProfile = 'council' | 'district' | 'county' | 'police' | 'fire' | 'nhs' | 'housing';

const S = (unit: string, name: string, weight: number, ...expenses: string[]): ServiceDef => ({ unit, name, weight, expenses });

const OFFICE: [string, number][] = [
  ['Operational Materials', 10], ['Training', 5], ['Printing and Stationery', 5], ['ICT Hardware', 3],
  ['ICT Software and Licences', 3], ['Equipment and Furniture', 3], ['Agency Staff', 6], ['Catering and Provisions', 2],
  ['Subscriptions', 2], ['Telephones and Mobile Data', 2], ['Repairs and Maintenance', 4], ['Cleaning and Domestic Supplies', 2],
  ['Electricity', 2], ['Gas', 1], ['Water Charges', 1], ['Postage', 1], ['Advertising and Publicity', 1], ['Professional Fees', 2],
  ['Vehicle Repairs and Maintenance', 1], ['Fuel', 1], ['Security Services', 1], ['Recruitment Advertising', 1], ['Occupational Health', 0.5],
];

const COUNCIL_SERVICES: ServiceDef[] = [
  S('Adults and Health', 'Older People Residential Care', 9, 'Residential Care', 'Nursing Care'),
  S('Adults and Health', 'Home Care Services', 9, 'Home Care', 'Direct Payments'),
  S('Adults and Health', 'Learning Disability Services', 6, 'Supported Living', 'Day Care Services', 'Residential Care', 'Direct Payments'),
  S('Adults and Health', 'Mental Health Services', 4, 'Supported Living', 'Residential Care'),
  S('Adults and Health', 'Physical Disabilities', 3, 'Home Care', 'Direct Payments', 'Equipment and Furniture'),
  S('Adults and Health', 'Public Health', 3, 'Public Health Services', 'Grants to Voluntary Organisations'),
  S('Children and Families', 'Children Looked After', 6, 'Independent Fostering Agencies', 'Children\'s Residential Placements', 'Foster Carer Allowances'),
  S('Children and Families', 'Fostering and Adoption', 4, 'Foster Carer Allowances', 'Independent Fostering Agencies'),
  S('Children and Families', 'Early Help and Family Support', 3, 'Grants to Voluntary Organisations', 'Catering and Provisions'),
  S('Children and Families', 'Special Educational Needs Transport', 4, 'Passenger Transport'),
  S('Children and Families', 'Youth Services', 2, 'Grants to Voluntary Organisations', 'Vehicle Hire'),
  S('Children and Families', 'Schools Catering', 3, 'Catering and Provisions'),
  S('Communities and Environment', 'Refuse Collection', 5, 'Vehicle Hire', 'Fuel', 'Vehicle Repairs and Maintenance', 'Vehicle Purchase'),
  S('Communities and Environment', 'Waste Disposal', 4, 'Waste Disposal Contract'),
  S('Communities and Environment', 'Street Cleansing', 3, 'Vehicle Hire', 'Private Contractors'),
  S('Communities and Environment', 'Parks and Countryside', 3, 'Grounds Maintenance', 'Operational Materials'),
  S('Communities and Environment', 'Housing Options and Homelessness', 4, 'Rents', 'Discretionary Housing Payments', 'Private Contractors'),
  S('Communities and Environment', 'Housing Benefit', 7, 'Housing Benefit Payments'),
  S('Communities and Environment', 'Community Safety', 2, 'Security Services', 'Grants to Voluntary Organisations'),
  S('Communities and Environment', 'Libraries', 2, 'Equipment and Furniture', 'Subscriptions'),
  S('Communities and Environment', 'Environmental Health', 2, 'Professional Fees', 'Private Contractors'),
  S('Communities and Environment', 'Bereavement Services', 1, 'Grounds Maintenance', 'Private Contractors'),
  S('Place', 'Highways Maintenance', 5, 'Highways Maintenance Contract', 'Capital Works'),
  S('Place', 'Street Lighting', 2, 'Electricity', 'Highways Maintenance Contract'),
  S('Place', 'Planning and Building Control', 2, 'Professional Fees', 'Legal Fees', 'Consultancy'),
  S('Place', 'Economic Development', 2, 'Business Grants', 'Consultancy'),
  S('Place', 'Regeneration', 2, 'Capital Works', 'Land and Property Acquisition', 'Consultancy'),
  S('Place', 'Leisure Centres', 3, 'Leisure Management Contract', 'Repairs and Maintenance'),
  S('Place', 'Car Parking', 1, 'Security Services', 'Business Rates'),
  S('Place', 'Corporate Property', 3, 'Repairs and Maintenance', 'Rents', 'Business Rates', 'Capital Works'),
  S('Resources', 'ICT Services', 4, 'ICT Software and Licences', 'ICT Hardware', 'Telephones and Mobile Data'),
  S('Resources', 'Human Resources', 2, 'Recruitment Advertising', 'Occupational Health', 'Training'),
  S('Resources', 'Finance and Revenues', 3, 'Council Tax Refunds', 'Professional Fees', 'Postage'),
  S('Resources', 'Legal and Democratic Services', 2, 'Legal Fees', 'Printing and Stationery'),
  S('Resources', 'Customer Services', 1, 'Telephones and Mobile Data', 'Postage'),
  S('Resources', 'Insurance and Risk', 1, 'Insurance'),
  S('Resources', 'Shared Services and Partnerships', 1, 'Payments to Other Local Authorities'),
];

const DISTRICT_SERVICES: ServiceDef[] = [
  S('Environmental Services', 'Refuse Collection', 6, 'Vehicle Hire', 'Fuel', 'Vehicle Repairs and Maintenance', 'Vehicle Purchase'),
  S('Environmental Services', 'Street Cleansing', 3, 'Vehicle Hire', 'Operational Materials'),
  S('Environmental Services', 'Parks and Open Spaces', 4, 'Grounds Maintenance', 'Operational Materials'),
  S('Environmental Services', 'Cemeteries and Crematorium', 2, 'Grounds Maintenance', 'Repairs and Maintenance'),
  S('Environmental Services', 'Fleet and Depot', 3, 'Vehicle Repairs and Maintenance', 'Fuel', 'Vehicle Hire'),
  S('Environmental Services', 'Environmental Health', 2, 'Professional Fees', 'Training'),
  S('Community Services', 'Leisure Centres', 3, 'Leisure Management Contract', 'Repairs and Maintenance'),
  S('Community Services', 'Museums and Arts', 1, 'Advertising and Publicity', 'Equipment and Furniture'),
  S('Community Services', 'Markets', 2, 'Repairs and Maintenance', 'Security Services', 'Cleaning and Domestic Supplies'),
  S('Community Services', 'Community Grants', 2, 'Grants to Voluntary Organisations'),
  S('Regeneration and Housing', 'Planning Applications', 2, 'Professional Fees', 'Legal Fees', 'Advertising and Publicity'),
  S('Regeneration and Housing', 'Building Control', 1, 'Professional Fees'),
  S('Regeneration and Housing', 'Housing Standards', 2, 'Private Contractors', 'Professional Fees'),
  S('Regeneration and Housing', 'Disabled Facilities Grants', 4, 'Disabled Facilities Grants'),
  S('Regeneration and Housing', 'Homelessness', 3, 'Rents', 'Discretionary Housing Payments'),
  S('Regeneration and Housing', 'Economic Development', 2, 'Business Grants', 'Consultancy'),
  S('Regeneration and Housing', 'Town Centre Regeneration', 2, 'Capital Works', 'Consultancy', 'Land and Property Acquisition'),
  S('Resources', 'Housing Benefit', 6, 'Housing Benefit Payments'),
  S('Resources', 'Council Tax', 3, 'Council Tax Refunds', 'Postage', 'Legal Fees'),
  S('Resources', 'Accountancy', 1, 'Professional Fees', 'Agency Staff'),
  S('Resources', 'Computer Services', 3, 'ICT Software and Licences', 'ICT Hardware', 'Telephones and Mobile Data'),
  S('Resources', 'Human Resources', 1, 'Training', 'Recruitment Advertising', 'Occupational Health'),
  S('Resources', 'Legal Services', 1, 'Legal Fees', 'Subscriptions'),
  S('Resources', 'Elections', 1, 'Printing and Stationery', 'Postage'),
  S('Resources', 'Town Hall', 2, 'Repairs and Maintenance', 'Electricity', 'Gas', 'Cleaning and Domestic Supplies', 'Business Rates'),
  S('Resources', 'Corporate Property', 2, 'Repairs and Maintenance', 'Rents', 'Insurance'),
  S('Resources', 'Car Parks', 1, 'Security Services', 'Business Rates'),
];

const COUNTY_SERVICES: ServiceDef[] = [
  ...COUNCIL_SERVICES.filter((s) => !['Housing Benefit', 'Refuse Collection', 'Street Cleansing', 'Leisure Centres', 'Housing Options and Homelessness', 'Bereavement Services', 'Car Parking', 'Environmental Health'].includes(s.name)),
  S('Education and Skills', 'School Improvement', 3, 'Consultancy', 'Training'),
  S('Education and Skills', 'Home to School Transport', 5, 'Passenger Transport'),
  S('Education and Skills', 'Schools Capital Programme', 3, 'Capital Works'),
  S('Place', 'Public Transport', 2, 'Passenger Transport', 'Private Contractors'),
  S('Place', 'Fire Safety Inspections', 0.3, 'Professional Fees'),
];

const POLICE_SERVICES: ServiceDef[] = [
  S('Local Policing', 'Response Policing', 6, 'Fuel', 'Vehicle Repairs and Maintenance', 'Vehicle Recovery', 'Operational Materials'),
  S('Local Policing', 'Neighbourhood Policing', 4, 'Operational Materials', 'Grants to Voluntary Organisations'),
  S('Local Policing', 'Roads Policing', 2, 'Vehicle Recovery', 'Vehicle Purchase', 'Fuel'),
  S('Crime', 'Criminal Investigation', 4, 'Forensic Science Services', 'Interpreters and Translation'),
  S('Crime', 'Public Protection', 3, 'Interpreters and Translation', 'Professional Fees'),
  S('Crime', 'Forensic Services', 3, 'Forensic Science Services', 'ICT Software and Licences'),
  S('Crime', 'Intelligence', 2, 'ICT Software and Licences', 'Subscriptions'),
  S('Operational Support', 'Custody', 3, 'Custody Healthcare', 'Catering and Provisions', 'Cleaning and Domestic Supplies'),
  S('Operational Support', 'Dogs Section', 1, 'Police Dogs'),
  S('Operational Support', 'Control Room', 2, 'Radio and Airtime Charges', 'ICT Software and Licences'),
  S('Operational Support', 'Mutual Aid and Collaboration', 1, 'Mutual Aid'),
  S('Support Services', 'Fleet Management', 4, 'Vehicle Purchase', 'Vehicle Repairs and Maintenance', 'Fuel'),
  S('Support Services', 'Estates', 4, 'Repairs and Maintenance', 'Electricity', 'Gas', 'Business Rates', 'Capital Works'),
  S('Support Services', 'Information Technology', 4, 'ICT Software and Licences', 'ICT Hardware', 'Telephones and Mobile Data'),
  S('Support Services', 'Learning and Development', 2, 'Training'),
  S('Support Services', 'Clothing Stores', 2, 'Clothing and Uniforms', 'Body Armour and Protective Equipment'),
  S('Support Services', 'Legal Services', 1, 'Legal Fees', 'Insurance'),
  S('Office of the Police and Crime Commissioner', 'Commissioning', 2, 'Commissioned Victim Services', 'Grants to Voluntary Organisations'),
];

const FIRE_SERVICES: ServiceDef[] = [
  S('Service Delivery', 'Fire Stations', 6, 'Repairs and Maintenance', 'Electricity', 'Gas', 'Cleaning and Domestic Supplies', 'Business Rates'),
  S('Service Delivery', 'Operational Equipment', 5, 'Breathing Apparatus', 'Firefighting Equipment', 'Personal Protective Equipment'),
  S('Service Delivery', 'Fleet and Engineering', 5, 'Fire Appliance Maintenance', 'Vehicle Purchase', 'Fuel', 'Vehicle Repairs and Maintenance'),
  S('Service Delivery', 'Water Supplies', 1, 'Hydrant Maintenance'),
  S('Prevention and Protection', 'Community Fire Safety', 3, 'Home Fire Safety Equipment', 'Advertising and Publicity'),
  S('Prevention and Protection', 'Business Fire Safety', 1, 'Legal Fees', 'Training'),
  S('Support Services', 'Training Centre', 3, 'Training', 'Catering and Provisions'),
  S('Support Services', 'Control and Mobilising', 2, 'Mobilising Systems', 'Radio and Airtime Charges'),
  S('Support Services', 'ICT', 3, 'ICT Software and Licences', 'ICT Hardware', 'Telephones and Mobile Data'),
  S('Support Services', 'Property', 3, 'Capital Works', 'Grounds Maintenance', 'Repairs and Maintenance'),
  S('Support Services', 'Corporate Services', 2, 'Insurance', 'Professional Fees', 'Occupational Health'),
];

const NHS_SERVICES: ServiceDef[] = [
  S('Commissioning', 'Acute Commissioning', 4, 'Acute Services'),
  S('Commissioning', 'Community Health Services', 3, 'Community Services'),
  S('Commissioning', 'Mental Health Commissioning', 3, 'Mental Health Services'),
  S('Commissioning', 'Primary Care', 6, 'GP Practice Payments', 'Prescribing'),
  S('Commissioning', 'Continuing Healthcare', 8, 'Continuing Healthcare', 'Funded Nursing Care'),
  S('Commissioning', 'Independent Sector', 3, 'Independent Sector Healthcare'),
  S('Commissioning', 'Patient Transport', 1, 'Patient Transport Services'),
  S('Commissioning', 'Voluntary Sector Grants', 1, 'Grants to Voluntary Organisations'),
  S('Corporate', 'Running Costs', 3, 'ICT Software and Licences', 'Rents', 'Professional Fees', 'Legal Fees'),
];

const HOUSING_SERVICES: ServiceDef[] = [
  S('Property Services', 'Responsive Repairs', 8, 'Responsive Repairs'),
  S('Property Services', 'Voids', 3, 'Void Works'),
  S('Property Services', 'Gas Servicing', 3, 'Gas Servicing'),
  S('Property Services', 'Planned Investment', 3, 'Planned Investment'),
  S('Housing Services', 'Estate Services', 3, 'Estate Services', 'Grounds Maintenance'),
  S('Housing Services', 'Supported Housing', 2, 'Tenancy Support Services', 'Security Services'),
  S('Development', 'New Homes', 1, 'Capital Works', 'Land and Property Acquisition', 'Professional Fees'),
  S('Corporate Services', 'Corporate Services', 2, 'ICT Software and Licences', 'Insurance', 'Legal Fees'),
];

export const PROFILES: Record<BodyProfile, ProfileDef> = {
  council: { services: COUNCIL_SERVICES, general: OFFICE, specificShare: 0.65 },
  district: { services: DISTRICT_SERVICES, general: OFFICE, specificShare: 0.6 },
  county: { services: COUNTY_SERVICES, general: OFFICE, specificShare: 0.65 },
  police: { services: POLICE_SERVICES, general: OFFICE, specificShare: 0.6 },
  fire: { services: FIRE_SERVICES, general: OFFICE, specificShare: 0.6 },
  nhs: { services: NHS_SERVICES, general: OFFICE.filter(([n]) => !['Fuel', 'Vehicle Repairs and Maintenance'].includes(n)), specificShare: 0.85 },
  housing: { services: HOUSING_SERVICES, general: OFFICE, specificShare: 0.7 },
};

// Word parts for generated names.
export const PLACE_HEADS = [
  'Ash', 'Bar', 'Bel', 'Black', 'Bram', 'Brin', 'Bur', 'Cal', 'Carr', 'Chel', 'Clay', 'Cold', 'Crom', 'Dal', 'Dun',
  'East', 'Elm', 'Fair', 'Fen', 'Gar', 'Glen', 'Hal', 'Har', 'Haw', 'Hen', 'Holm', 'Kel', 'Kings', 'Lang', 'Lin',
  'Mar', 'Mel', 'Mill', 'Nether', 'New', 'North', 'Oak', 'Pen', 'Red', 'Ros', 'Sal', 'Sand', 'Shel', 'South',
  'Stan', 'Stock', 'Thorn', 'Up', 'Wal', 'Wes', 'Whit', 'Wick', 'Wil', 'Wood', 'Wyn', 'Alder', 'Brack', 'Cran',
];
export const PLACE_TAILS = [
  'bury', 'by', 'cliffe', 'combe', 'dale', 'don', 'field', 'ford', 'gate', 'ham', 'holme', 'hurst', 'ing',
  'leigh', 'ley', 'mere', 'minster', 'mouth', 'ness', 'port', 'stead', 'stoke', 'ton', 'wick', 'worth', 'wood', 'well',
];
/** Generated place names that are real councils or too close to them are skipped. */
export const PLACE_BLOCKLIST = new Set([
  'Salford', 'Burnley', 'Stockport', 'Stockton', 'Newport', 'Newham', 'Eastleigh', 'Ashford', 'Wickham', 'Barnsley',
  'Blackburn', 'Blackpool', 'Melton', 'Newbury', 'Sandwell', 'Southwark', 'Wolverhampton', 'Northampton', 'Southampton',
  'Walsall', 'Elmbridge', 'Bury', 'Halton', 'Redditch', 'Hastings', 'Rosdale', 'Kingston', 'Wyndale',
]);

export const FIRST_NAMES = [
  'Aisha', 'Alan', 'Alison', 'Amir', 'Andrew', 'Angela', 'Barry', 'Beverley', 'Carl', 'Carol', 'Chloe', 'Colin',
  'Craig', 'Dawn', 'Dean', 'Deborah', 'Donna', 'Elaine', 'Emma', 'Gareth', 'Gemma', 'Graham', 'Hannah', 'Imran',
  'Jacqueline', 'Jason', 'Joanne', 'Karen', 'Keith', 'Kerry', 'Lee', 'Leanne', 'Lisa', 'Mandeep', 'Mark', 'Martin',
  'Michelle', 'Nadia', 'Neil', 'Nicola', 'Paul', 'Priya', 'Rachel', 'Richard', 'Rizwan', 'Sandra', 'Sarah', 'Shaun',
  'Stephen', 'Stuart', 'Tariq', 'Tracey', 'Wayne', 'Yvonne', 'Zoe',
];
export const SURNAMES = [
  'Ahmed', 'Ainsworth', 'Akhtar', 'Barker', 'Bennett', 'Bibby', 'Birtwistle', 'Booth', 'Bradshaw', 'Brennan',
  'Butterworth', 'Cartwright', 'Chadwick', 'Clegg', 'Collier', 'Crossley', 'Dewhurst', 'Duckworth', 'Entwistle',
  'Fairclough', 'Fletcher', 'Greenhalgh', 'Haworth', 'Holden', 'Hussain', 'Iqbal', 'Jackson', 'Kaur', 'Kenyon',
  'Lord', 'Marsden', 'Mistry', 'Nuttall', 'Ogden', 'Parkinson', 'Patel', 'Pilling', 'Rawcliffe', 'Riley', 'Schofield',
  'Shaw', 'Singh', 'Sutcliffe', 'Taylor', 'Threlfall', 'Walsh', 'Whittaker', 'Wilkinson', 'Wood', 'Worsley',
];

/** Words that make a company name sound like it belongs to its trade. */
export const TRADE_WORDS: Record<Trade, string[]> = {
  agency: ['Recruitment', 'Staffing', 'Personnel', 'Resourcing', 'Locums', 'Interim Solutions'],
  training: ['Training', 'Learning', 'Skills Academy', 'Management Development', 'Safety Training'],
  media: ['Media', 'Publishing', 'Advertising', 'Communications', 'Newspapers'],
  building: ['Building Services', 'Construction', 'Joinery', 'Roofing', 'Plumbing & Heating', 'Electrical', 'Property Maintenance', 'Builders'],
  energy: ['Energy', 'Power', 'Gas Supplies', 'Energy Solutions'],
  water: ['Water', 'Water Services'],
  cleaning: ['Cleaning', 'Hygiene', 'Facilities', 'Janitorial Supplies', 'Washroom Services'],
  property: ['Estates', 'Properties', 'Property Investments', 'Developments'],
  council: [],
  security: ['Security', 'Guarding', 'Alarms', 'Fire & Security', 'Locksmiths'],
  grounds: ['Landscapes', 'Tree Services', 'Grounds Maintenance', 'Horticulture', 'Arboriculture'],
  vehicles: ['Motors', 'Vehicle Hire', 'Commercials', 'Truck Services', 'Plant Hire', 'Fleet Services', 'Tyres'],
  fuel: ['Fuels', 'Oil', 'Fuel Services'],
  transport: ['Taxis', 'Coaches', 'Travel', 'Private Hire', 'Community Transport'],
  materials: ['Supplies', 'Builders Merchants', 'Hardware', 'Timber', 'Industrial Supplies', 'Trade Supplies'],
  furniture: ['Office Furniture', 'Interiors', 'Office Solutions', 'Equipment'],
  ict: ['Software', 'Systems', 'Digital', 'IT Solutions', 'Technologies', 'Data', 'Computing', 'Cloud Services'],
  telecoms: ['Telecom', 'Communications', 'Networks', 'Mobile'],
  print: ['Print', 'Printers', 'Stationers', 'Office Supplies', 'Document Solutions'],
  post: ['Mail', 'Postal Services', 'Couriers'],
  consultancy: ['Consulting', 'Associates', 'Partnership', 'Surveyors', 'Advisory', 'Chartered Accountants'],
  legal: ['Solicitors', 'Law', 'Chambers', 'Legal Services'],
  catering: ['Catering', 'Foods', 'Fresh Produce', 'Bakery', 'Dairies', 'Vending'],
  membership: ['Institute', 'Association', 'Society'],
  insurance: ['Insurance', 'Mutual Insurance', 'Underwriting', 'Risk Services'],
  voluntary: [],
  uniform: ['Workwear', 'Uniforms', 'Safety Wear', 'Protective Clothing'],
  care_home: [],
  home_care: [],
  fostering: ['Fostering', 'Family Placements', 'Foster Care'],
  contractor: ['Contractors', 'Services', 'Environmental', 'Civil Engineering', 'Drainage'],
  waste: ['Waste Management', 'Recycling', 'Environmental Services', 'Skip Hire', 'Waste Solutions'],
  highways: ['Highways', 'Surfacing', 'Civil Engineering', 'Road Markings', 'Traffic Management'],
  leisure: ['Leisure', 'Leisure Trust', 'Sport and Leisure', 'Active Lifestyles'],
  health: ['Healthcare', 'Medical Services', 'Health Services', 'Clinical Services'],
  individual: [],
  landlord: ['Lettings', 'Property Management', 'Residential Lettings', 'Homes'],
  company: ['Enterprises', 'Trading', 'Services', 'Holdings', 'Bakery', 'Engineering', 'Textiles', 'Cafe'],
  construction: ['Construction', 'Contractors', 'Building', 'Civil Engineering', 'Developments'],
  forensic: ['Forensics', 'Laboratories', 'Scientific Services', 'Analytical Services'],
  interpreting: ['Interpreting', 'Language Services', 'Translation'],
  police_force: [],
  animal: ['Veterinary Practice', 'Kennels', 'Pet Supplies'],
  fire_equipment: ['Fire Equipment', 'Fire Engineering', 'Rescue Systems', 'Safety Systems'],
  nhs_trust: [],
  gp: [],
  pharmacy: [],
  retail: [],
};

export const COMPANY_FORMS = ['Ltd', 'Limited', 'Ltd', 'Limited', 'Services Limited', 'Group Plc', 'LLP', '& Sons Ltd', 'UK Ltd', '(UK) Limited', 'Ltd', 'Group Ltd', ''];
export const CARE_HOME_FORMS = ['House Care Home', 'Lodge Nursing Home', 'Court Care Home', 'Grange Residential Home', 'Manor Care Homes Ltd', 'Care Homes Ltd', 'Healthcare Ltd', 'View Care Centre'];
export const HOME_CARE_FORMS = ['Home Care Ltd', 'Care Services Limited', 'Homecare Services Ltd', 'Care at Home Ltd', 'Support Services Ltd', 'Community Care CIC'];
export const VOLUNTARY_FORMS = ['Community Trust', 'Youth Project', 'Food Bank', 'Carers Centre', 'Credit Union', 'Womens Aid', 'Community Association', 'Advice Centre', 'Sports Club', 'Heritage Trust', 'Mind', 'Age Partnership'];
export const COUNCIL_FORMS = ['Borough Council', 'District Council', 'County Council', 'City Council', 'Metropolitan Borough Council', 'Council'];
export const NHS_TRUST_FORMS = ['Hospitals NHS Foundation Trust', 'Teaching Hospitals NHS Trust', 'Community Health NHS Trust', 'Health and Care NHS Foundation Trust', 'Partnership NHS Foundation Trust'];
export const GP_FORMS = ['Medical Centre', 'Surgery', 'Health Centre', 'Medical Practice', 'Family Practice', 'Road Surgery'];
export const PHARMACY_FORMS = ['Pharmacy', 'Chemists Ltd', 'Pharmacy Ltd', 'Healthcare Pharmacy'];
export const RETAIL_NAMES = [
  'Shopwise Online', 'Parcelmart', 'BuildBase Trade Counter', 'Quickfix Hardware', 'Officeworld Direct', 'Rail Fares Direct',
  'Roomstay Hotels', 'Citypark Parking', 'Greenleaf Garden Centre', 'Brightspark Electricals', 'Cornerstone Stationers',
  'Trainfare Online', 'Budget Stays', 'Sparkclean Supplies', 'Toolhouse Direct', 'Corner Cafe', 'Digital Marketplace',
];
export const POLICE_FORMS = ['Constabulary', 'Police', 'Police and Crime Commissioner'];

export const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
