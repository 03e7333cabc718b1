"""Sectors: what people do, what their employers are called, their titles, skills and topics.

Sensitive sectors are the ones hostile services target (government, parliament, defence,
intelligence, diplomacy, nuclear, aerospace, pharma and biotech, telecoms, energy and critical
infrastructure, university research, semiconductors). Their employer names carry natural sector
words ("Ministry of Defence", "Northbridge Aerospace", "Embassy of ...", "... Pharmaceuticals",
"University of X — Department of Physics") because the detectors recognise sensitive employers
from names and headlines, as they would on real data. Ordinary sectors give the bulk of the
network and the hard negatives: recruiters, consultancies and think tanks with genuine staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sector:
    key: str
    industry: str
    sensitive: bool
    #: share of genuine members working in the sector (normalised over all sectors)
    weight: float
    #: org name patterns; {stem} invented word, {town} invented town, {surname} a surname
    patterns: Sequence[str]
    #: titles by seniority 0 (entry) .. 4 (executive)
    titles: tuple[tuple[str, ...], ...]
    skills: tuple[str, ...]
    topics: tuple[str, ...]
    #: fields of study that lead here
    fields: tuple[str, ...]


def _s(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|") if x.strip())


def _levels(*levels: str) -> tuple[tuple[str, ...], ...]:
    return tuple(_s(x) for x in levels)


SECTORS: tuple[Sector, ...] = (
    # ---- sensitive -------------------------------------------------------------------------
    Sector(
        "government", "Government Administration", True, 4.0, (),
        _levels(
            "Policy Officer|Executive Officer|Graduate Policy Analyst|Policy Assistant",
            "Policy Adviser|Higher Executive Officer|Economist|Analyst|Private Secretary",
            "Senior Policy Adviser|Team Leader|Senior Economist|Grade 7 Policy Lead",
            "Deputy Director|Head of Policy|Assistant Director|Head of Economic Security",
            "Director General|Director|Permanent Secretary|Chief Economist",
        ),
        _s("Policy Analysis|Public Policy|Stakeholder Management|Briefing|Ministerial Submissions"
           "|Economic Analysis|Legislation|Project Delivery|Negotiation|Government Affairs"
           "|Regulatory Policy|Public Sector"),
        _s("trade policy|economic security|public finance|digital regulation|health policy"
           "|energy security|critical minerals|export controls|investment screening"
           "|science and technology policy|supply chain resilience"),
        _s("Economics|Politics|Public Policy|History|Law|Philosophy, Politics and Economics"),
    ),
    Sector(
        "defence", "Defense and Space Manufacturing", True, 3.0, (
            "{stem} Defence Systems|{stem} Dynamics|{stem} Defence|{stem} Naval Systems"
            "|{stem} Electronic Systems|{stem} Munitions|{stem} Land Systems"
        ).split("|"),
        _levels(
            "Graduate Engineer|Junior Analyst|Second Lieutenant|Apprentice Technician",
            "Systems Engineer|Operational Analyst|Captain|Project Engineer|Test Engineer",
            "Senior Systems Engineer|Programme Manager|Major|Principal Engineer|Lead Analyst",
            "Head of Capability|Lieutenant Colonel|Chief Engineer|Programme Director",
            "Director of Strategy|Colonel|Managing Director|Chief Technology Officer",
        ),
        _s("Systems Engineering|Defence Acquisition|Requirements Management|MATLAB|Radar"
           "|Electronic Warfare|Project Management|Operational Analysis|Military Operations"
           "|Integrated Logistics Support|Security Clearance|C4ISR"),
        _s("electronic warfare|air defence|naval systems|C4ISR|munitions|military capability"
           "|hypersonics|counter-drone systems|defence procurement|secure communications"),
        _s("Mechanical Engineering|Electrical Engineering|Physics|Systems Engineering"
           "|War Studies|Mathematics"),
    ),
    Sector(
        "intelligence", "Government Administration", True, 0.5, (),
        _levels(
            "Analyst|Graduate Analyst|Technical Officer",
            "Intelligence Analyst|Cyber Analyst|Linguist|Technical Specialist",
            "Senior Analyst|Technical Lead|Senior Cyber Analyst|Team Leader",
            "Head of Assessment|Principal Analyst|Deputy Director",
            "Director|Director of Operations",
        ),
        _s("Analysis|Threat Intelligence|Cyber Security|Languages|Data Analysis|Python"
           "|Risk Assessment|Report Writing|Geopolitics|Network Security"),
        _s("threat assessment|cyber threat intelligence|counter-terrorism|geopolitical risk"
           "|signals analysis|counter-intelligence|open-source intelligence"),
        _s("Computer Science|Mathematics|Modern Languages|International Relations|History"),
    ),
    Sector(
        "diplomacy", "International Affairs", True, 1.0, (),
        _levels(
            "Attaché|Desk Officer|Third Secretary|Policy Officer",
            "Second Secretary|Political Officer|Desk Officer|Trade Officer",
            "First Secretary|Head of Section|Political Counsellor|Senior Desk Officer",
            "Counsellor|Deputy Head of Mission|Minister-Counsellor",
            "Ambassador|Director, Asia-Pacific|Director, Europe|High Commissioner",
        ),
        _s("Diplomacy|International Relations|Negotiation|Foreign Policy|Political Analysis"
           "|Consular Affairs|Multilateral Diplomacy|Languages|Public Diplomacy|Sanctions"),
        _s("EU-China relations|Indo-Pacific security|sanctions policy|arms control"
           "|consular affairs|multilateral diplomacy|Arctic policy|trade negotiations"),
        _s("International Relations|History|Modern Languages|Law|Politics|Economics"),
    ),
    Sector(
        "parliament", "Legislative Offices", True, 0.6, (),
        _levels(
            "Parliamentary Assistant|Caseworker|Intern",
            "Parliamentary Researcher|Senior Caseworker|Committee Assistant",
            "Senior Parliamentary Researcher|Committee Specialist|Clerk",
            "Chief of Staff|Head of Office|Principal Clerk",
            "Member of Parliament|Committee Chair",
        ),
        _s("Parliamentary Procedure|Research|Speech Writing|Casework|Stakeholder Engagement"
           "|Policy Research|Public Affairs|Legislative Drafting|Campaigns"),
        _s("select committee inquiries|foreign affairs scrutiny|defence committee work"
           "|legislative drafting|constituency casework|science and technology scrutiny"),
        _s("Politics|History|Law|Public Policy|English"),
    ),
    Sector(
        "nuclear", "Nuclear Electric Power Generation", True, 0.6, (
            "{stem} Nuclear|{stem} Nuclear Services|{stem} Fusion|{stem} Nuclear Engineering"
        ).split("|"),
        _levels(
            "Graduate Engineer|Apprentice|Health Physics Technician",
            "Nuclear Safety Engineer|Radiation Protection Adviser|Reactor Operator",
            "Senior Reactor Physicist|Principal Safety Case Engineer|Senior Chemist",
            "Head of Nuclear Safety|Chief Engineer|Programme Director",
            "Chief Nuclear Officer|Site Director|Managing Director",
        ),
        _s("Nuclear Safety|Reactor Physics|Radiation Protection|Safety Cases|Decommissioning"
           "|MCNP|Thermal Hydraulics|Nuclear Fuel|Quality Assurance|Project Management"),
        _s("reactor physics|nuclear safety cases|the fuel cycle|decommissioning"
           "|fusion energy|non-proliferation|small modular reactors|radiochemistry"),
        _s("Physics|Nuclear Engineering|Chemistry|Mechanical Engineering|Materials Science"),
    ),
    Sector(
        "aerospace", "Aviation and Aerospace Component Manufacturing", True, 1.8, (
            "{stem} Aerospace|{stem} Space|{stem} Avionics|{stem} Satellite Systems"
            "|{stem} Aero Engines|{stem} Space Technologies"
        ).split("|"),
        _levels(
            "Graduate Engineer|Junior Engineer|Apprentice Technician",
            "Stress Engineer|Avionics Engineer|Systems Engineer|Flight Test Engineer",
            "Senior Propulsion Engineer|Lead Systems Engineer|Senior Avionics Engineer",
            "Chief Engineer|Head of Engineering|Programme Director",
            "VP Engineering|Chief Technology Officer|Managing Director",
        ),
        _s("Aerospace Engineering|CATIA|Finite Element Analysis|DO-178C|Systems Engineering"
           "|Avionics|Propulsion|Composites|MATLAB|Satellite Communications|Flight Testing"),
        _s("satellite communications|propulsion|avionics|composite structures"
           "|Earth observation|launch systems|flight control software|space situational awareness"),
        _s("Aerospace Engineering|Mechanical Engineering|Physics|Electrical Engineering"),
    ),
    Sector(
        "pharma", "Pharmaceutical Manufacturing", True, 2.2, (
            "{stem} Pharmaceuticals|{stem} Biotherapeutics|{stem} Biosciences|{stem} Vaccines"
            "|{stem} Genomics|{stem} Therapeutics|{stem} Pharma"
        ).split("|"),
        _levels(
            "Research Scientist|Lab Technician|Graduate Scientist|Clinical Trial Assistant",
            "Scientist|Clinical Research Associate|Analytical Chemist|Regulatory Associate",
            "Senior Scientist|Principal Scientist|Clinical Project Manager",
            "Head of Discovery|Associate Director|Director of Clinical Operations",
            "Chief Scientific Officer|VP Research and Development|Chief Medical Officer",
        ),
        _s("Drug Discovery|Cell Culture|HPLC|GMP|Clinical Trials|Regulatory Affairs|Immunology"
           "|Molecular Biology|Bioinformatics|Assay Development|Protein Purification"),
        _s("mRNA vaccines|oncology drug discovery|antibody engineering|clinical trials"
           "|regulatory affairs|gene therapy|bioprocessing|antimicrobial resistance"),
        _s("Biochemistry|Chemistry|Pharmacology|Molecular Biology|Medicine|Biomedical Science"),
    ),
    Sector(
        "telecoms", "Telecommunications", True, 2.0, (
            "{stem} Telecom|{stem} Networks|{stem} Mobile|{stem} Communications|{stem} Fibre"
        ).split("|"),
        _levels(
            "Graduate Network Engineer|Field Engineer|NOC Technician",
            "Network Engineer|RF Engineer|Security Engineer|Solutions Engineer",
            "Senior Network Architect|5G Solutions Architect|Lead Security Engineer",
            "Head of Network Security|Head of Core Networks|Engineering Director",
            "Chief Technology Officer|Chief Information Security Officer|Network Director",
        ),
        _s("5G|LTE|IP Networking|Cisco|Juniper|Network Security|RF Planning|SDN"
           "|Telecommunications|Fibre Optics|Cloud Networking|BGP"),
        _s("5G core networks|network security|spectrum policy|submarine cables|Open RAN"
           "|lawful intercept compliance|satellite broadband"),
        _s("Electrical Engineering|Computer Science|Telecommunications Engineering|Physics"),
    ),
    Sector(
        "energy", "Utilities", True, 2.5, (
            "{stem} Energy|{stem} Power|{stem} Grid|{stem} Water|{stem} Renewables"
            "|{stem} Gas Transmission|{stem} Power Networks"
        ).split("|"),
        _levels(
            "Graduate Engineer|Apprentice Technician|Junior Analyst",
            "Control Room Engineer|SCADA Engineer|Protection Engineer|Energy Analyst",
            "Senior Protection Engineer|Lead OT Security Engineer|Senior Asset Manager",
            "Head of OT Security|Head of Network Operations|Engineering Director",
            "Operations Director|Chief Executive|Chief Operating Officer",
        ),
        _s("SCADA|Power Systems|Substations|Energy Markets|OT Security|Asset Management"
           "|Renewable Energy|Grid Operations|Project Management|IEC 61850"),
        _s("grid resilience|SCADA security|offshore wind|LNG supply|energy trading"
           "|substation automation|hydrogen|water treatment"),
        _s("Electrical Engineering|Mechanical Engineering|Chemical Engineering|Economics"),
    ),
    Sector(
        "university_research", "Research Services", True, 2.0, (),
        _levels(
            "PhD Candidate|Research Assistant|Doctoral Researcher",
            "Postdoctoral Research Associate|Research Fellow|Research Engineer",
            "Lecturer|Senior Research Fellow|Senior Lecturer",
            "Associate Professor|Reader|Principal Investigator",
            "Professor|Head of Department|Chair in Quantum Engineering",
        ),
        _s("Research|Python|Data Analysis|Machine Learning|Grant Writing|Teaching|LaTeX"
           "|Scientific Writing|Simulation|Laboratory Skills|C++|Peer Review"),
        _s("quantum computing|photonics|machine learning|materials science"
           "|semiconductor devices|robotics|cryptography|hypersonic aerodynamics"
           "|synthetic biology|battery chemistry"),
        _s("Physics|Chemistry|Computer Science|Electrical Engineering|Materials Science"
           "|Mathematics|Biochemistry"),
    ),
    Sector(
        "semiconductors", "Semiconductor Manufacturing", True, 0.8, (
            "{stem} Semiconductors|{stem} Quantum|{stem} Photonics|{stem} Microelectronics"
        ).split("|"),
        _levels(
            "Graduate Engineer|Process Technician|Junior Design Engineer",
            "Process Engineer|Design Engineer|Verification Engineer|Photonics Engineer",
            "Senior ASIC Engineer|Principal Engineer|Lead Quantum Engineer",
            "Director of R&D|Head of Design|Engineering Director",
            "Chief Technology Officer|VP Engineering|Chief Executive",
        ),
        _s("VLSI|Verilog|ASIC Design|Lithography|Cleanroom|Photonics|Quantum Computing"
           "|FPGA|Semiconductor Process|SystemVerilog|Cadence"),
        _s("chip design|lithography|quantum processors|silicon photonics|compound semiconductors"
           "|chip supply chains"),
        _s("Electrical Engineering|Physics|Materials Science|Computer Engineering"),
    ),
    # ---- ordinary ------------------------------------------------------------------------------
    Sector(
        "retail", "Retail", False, 9.0,
        "{stem} Retail|{stem} Stores|{stem} Home|{stem} Fashion|{stem} & Co".split("|"),
        _levels(
            "Sales Assistant|Customer Advisor|Retail Graduate|Visual Merchandiser",
            "Store Manager|Buyer|Merchandiser|E-commerce Executive",
            "Senior Buyer|Area Manager|E-commerce Manager|Category Manager",
            "Head of Buying|Regional Director|Head of E-commerce",
            "Retail Director|Chief Executive|Chief Commercial Officer",
        ),
        _s("Retail|Customer Service|Merchandising|Sales|Inventory Management|E-commerce"
           "|Buying|Visual Merchandising|Team Leadership|Category Management"),
        _s("omnichannel retail|customer experience|merchandising|retail supply chains"
           "|sustainable fashion|loyalty programmes"),
        _s("Business Management|Marketing|Fashion|Economics|English"),
    ),
    Sector(
        "banking", "Banking", False, 8.0,
        "{stem} Bank|{stem} Capital|{stem} Building Society|{stem} Asset Management".split("|"),
        _levels(
            "Analyst|Graduate Analyst|Customer Service Adviser|Operations Analyst",
            "Associate|Relationship Manager|Credit Analyst|Compliance Analyst",
            "Vice President|Senior Relationship Manager|Risk Manager|Portfolio Manager",
            "Director|Head of Credit Risk|Head of Compliance",
            "Managing Director|Chief Risk Officer|Chief Financial Officer",
        ),
        _s("Financial Analysis|Credit Risk|Excel|Banking|Compliance|Anti-Money Laundering"
           "|Financial Modelling|Payments|Wealth Management|Risk Management|Bloomberg"),
        _s("credit risk|payments|wealth management|anti-money laundering|fintech partnerships"
           "|sustainable finance|treasury management"),
        _s("Economics|Finance|Accounting|Mathematics|Business Management"),
    ),
    Sector(
        "insurance", "Insurance", False, 3.0,
        "{stem} Insurance|{stem} Assurance|{stem} Mutual".split("|"),
        _levels(
            "Claims Handler|Underwriting Assistant|Graduate Actuary",
            "Underwriter|Claims Adjuster|Actuarial Analyst|Broker",
            "Senior Underwriter|Pricing Manager|Senior Actuary",
            "Head of Underwriting|Chief Actuary|Head of Claims",
            "Chief Executive|Chief Underwriting Officer",
        ),
        _s("Underwriting|Claims|Actuarial Science|Insurance|Risk Assessment|Excel|Pricing"),
        _s("cyber insurance|catastrophe modelling|claims automation|pricing models"),
        _s("Mathematics|Actuarial Science|Economics|Business Management"),
    ),
    Sector(
        "software", "Software Development", False, 10.0,
        "{stem} Software|{stem}|{stem} Labs|{stem} Technologies|{stem}.io|{stem} Cloud".split("|"),
        _levels(
            "Software Engineer|Junior Developer|Graduate Developer|QA Engineer",
            "Software Engineer II|Frontend Developer|Backend Developer|Product Manager",
            "Senior Software Engineer|Senior Product Manager|Tech Lead|Data Scientist",
            "Engineering Manager|Staff Engineer|Head of Product|Principal Engineer",
            "CTO|VP Engineering|Founder & CEO|Chief Product Officer",
        ),
        _s("Python|JavaScript|TypeScript|React|AWS|Kubernetes|Go|Java|SQL|Docker|Agile"
           "|System Design|Machine Learning|Terraform|Product Management"),
        _s("cloud infrastructure|developer tooling|data engineering|SaaS products|DevOps"
           "|fintech apps|AI products|observability"),
        _s("Computer Science|Software Engineering|Mathematics|Physics|Electronic Engineering"),
    ),
    Sector(
        "logistics", "Transportation, Logistics, Supply Chain and Storage", False, 5.0,
        "{stem} Logistics|{stem} Freight|{stem} Shipping|{stem} Distribution".split("|"),
        _levels(
            "Warehouse Operative|Logistics Coordinator|Transport Planner",
            "Operations Supervisor|Supply Chain Analyst|Freight Forwarder",
            "Operations Manager|Senior Supply Chain Manager|Fleet Manager",
            "Head of Operations|Director of Supply Chain",
            "Chief Operating Officer|Managing Director",
        ),
        _s("Logistics|Supply Chain Management|Warehouse Management|Transport Planning|SAP"
           "|Procurement|Lean Six Sigma|Inventory Control|Freight"),
        _s("last-mile delivery|warehouse automation|freight forwarding|port logistics"
           "|cold chain logistics"),
        _s("Logistics|Business Management|Geography|Economics"),
    ),
    Sector(
        "hospitality", "Hospitality", False, 5.0,
        "{stem} Hotels|The {stem} Hotel|{stem} Restaurants|{stem} Hospitality Group".split("|"),
        _levels(
            "Front Desk Agent|Waiter|Commis Chef|Guest Relations Agent",
            "Supervisor|Sous Chef|Events Coordinator|Revenue Analyst",
            "Hotel Manager|Head Chef|Events Manager|Revenue Manager",
            "General Manager|Regional Operations Manager",
            "Managing Director|Chief Executive",
        ),
        _s("Hospitality|Customer Service|Hotel Management|Food & Beverage|Event Planning"
           "|Revenue Management|Team Leadership|Opera PMS"),
        _s("guest experience|revenue management|events|sustainable tourism"),
        _s("Hospitality Management|Culinary Arts|Business Management|Tourism"),
    ),
    Sector(
        "media", "Media Production", False, 3.0,
        "{stem} Media|The {town} Herald|{stem} Studios|{stem} Broadcasting".split("|"),
        _levels(
            "Junior Reporter|Production Assistant|Editorial Assistant|Researcher",
            "Reporter|Producer|Sub-editor|Content Editor",
            "Senior Reporter|Senior Producer|Features Editor|Correspondent",
            "Editor|Head of Content|Executive Producer",
            "Editor-in-Chief|Managing Director",
        ),
        _s("Journalism|Editing|Storytelling|Video Production|Copywriting|Social Media"
           "|Broadcasting|Content Strategy|Interviewing"),
        _s("investigative journalism|podcasting|local news|documentary film|audience growth"),
        _s("Journalism|English|Media Studies|History|Film Studies"),
    ),
    Sector(
        "healthcare", "Hospitals and Health Care", False, 8.0,
        "{town} General Hospital|{town} University Hospitals Trust|{stem} Health|{stem} Care"
        .split("|"),
        _levels(
            "Staff Nurse|Healthcare Assistant|Junior Doctor|Pharmacy Technician",
            "Registrar|Physiotherapist|Senior Staff Nurse|Radiographer",
            "Consultant|Ward Manager|Senior Pharmacist|Clinical Nurse Specialist",
            "Clinical Director|Head of Nursing|Service Manager",
            "Medical Director|Chief Executive|Chief Nursing Officer",
        ),
        _s("Patient Care|Clinical Research|Healthcare|Nursing|Medicine|Healthcare Management"
           "|Public Health|Quality Improvement|Clinical Governance"),
        _s("patient safety|digital health|emergency medicine|public health|mental health"),
        _s("Medicine|Nursing|Physiotherapy|Pharmacy|Health Sciences"),
    ),
    Sector(
        "education", "Primary and Secondary Education", False, 5.0,
        "{town} Academy|{town} Grammar School|{town} College|{stem} Learning Trust".split("|"),
        _levels(
            "Teaching Assistant|Trainee Teacher|Newly Qualified Teacher",
            "Teacher|Science Teacher|Maths Teacher|Teacher of English",
            "Head of Department|Head of Year|Senior Teacher",
            "Deputy Headteacher|Assistant Principal",
            "Headteacher|Principal|CEO, Multi-Academy Trust",
        ),
        _s("Teaching|Curriculum Development|Classroom Management|Lesson Planning|Education"
           "|Safeguarding|SEN|Mentoring"),
        _s("STEM education|curriculum design|inclusive education|educational technology"),
        _s("Education|English|Mathematics|History|Biology|Geography"),
    ),
    Sector(
        "higher_ed", "Higher Education", False, 2.0, (),
        _levels(
            "Teaching Fellow|Administrator|Doctoral Researcher",
            "Lecturer|Research Associate|Programme Coordinator|Visiting Scholar"
            "|Visiting Researcher",
            "Senior Lecturer|Admissions Manager|Senior Research Associate|Senior Research Fellow",
            "Associate Professor|Head of School Operations",
            "Professor|Dean|Pro-Vice-Chancellor",
        ),
        _s("Teaching|Research|Higher Education|Academic Writing|Curriculum Design"
           "|Qualitative Research|Student Support|Public Speaking|International Cooperation"
           "|Conference Organisation|Data Analysis"),
        _s("social history|organisational behaviour|comparative literature|urban studies"
           "|development economics|education policy"),
        _s("History|Economics|Business Management|English|Sociology|Law"),
    ),
    Sector(
        "law", "Law Practice", False, 3.0,
        "{surname} & {surname2} LLP|{surname} {surname2} Solicitors|{stem} Legal".split("|"),
        _levels(
            "Trainee Solicitor|Paralegal|Legal Assistant",
            "Associate|Solicitor|Barrister",
            "Senior Associate|Legal Director|Senior Counsel",
            "Partner|Head of Disputes",
            "Managing Partner|General Counsel",
        ),
        _s("Litigation|Contract Law|Legal Research|Corporate Law|Employment Law|Legal Writing"
           "|Commercial Law|Dispute Resolution|Due Diligence"),
        _s("commercial litigation|data protection law|employment disputes|M&A"
           "|sanctions compliance"),
        _s("Law|History|Politics"),
    ),
    Sector(
        "accounting", "Accounting", False, 3.0,
        "{surname} {surname2} Accountants|{stem} Audit|{stem} Tax Partners".split("|"),
        _levels(
            "Audit Associate|Trainee Accountant|Tax Assistant",
            "Accountant|Senior Auditor|Tax Adviser",
            "Audit Manager|Financial Controller|Tax Manager",
            "Director|Head of Audit",
            "Partner|Chief Financial Officer",
        ),
        _s("Accounting|Auditing|Tax|Financial Reporting|IFRS|Excel|Xero|Management Accounts"),
        _s("audit quality|tax advisory|financial reporting|forensic accounting"),
        _s("Accounting|Finance|Economics|Mathematics"),
    ),
    Sector(
        "consulting", "Business Consulting and Services", False, 5.0,
        "{stem} Consulting|{stem} Advisory|{surname} & Partners|{stem} Strategy Partners"
        .split("|"),
        _levels(
            "Analyst|Business Analyst|Graduate Consultant",
            "Consultant|Associate|Senior Analyst",
            "Senior Consultant|Manager|Engagement Manager",
            "Principal|Associate Partner|Director|Director, Strategic Advisory"
            "|Principal Consultant|Business Development Director",
            "Partner|Managing Partner|Founder",
        ),
        _s("Strategy|Management Consulting|Business Analysis|Stakeholder Management"
           "|Change Management|Financial Modelling|PowerPoint|Project Management|Consulting"
           "|Market Research|Business Development|Networking"),
        _s("digital transformation|operating model design|public sector reform"
           "|procurement strategy|risk advisory"),
        _s("Economics|Business Management|Engineering|Mathematics|Politics"),
    ),
    Sector(
        "marketing", "Advertising Services", False, 4.0,
        "{stem} Agency|{stem} Creative|{stem} Digital|{stem} Communications Group".split("|"),
        _levels(
            "Marketing Assistant|Social Media Executive|Account Executive",
            "Marketing Manager|Account Manager|Content Strategist|SEO Specialist",
            "Senior Marketing Manager|Account Director|Creative Lead",
            "Head of Marketing|Marketing Director|Client Services Director",
            "Chief Marketing Officer|Founder",
        ),
        _s("Digital Marketing|SEO|Social Media Marketing|Content Marketing|Branding"
           "|Google Analytics|Copywriting|Campaign Management|CRM"),
        _s("brand strategy|performance marketing|content marketing|B2B marketing"),
        _s("Marketing|Business Management|English|Media Studies|Psychology"),
    ),
    Sector(
        "manufacturing", "Industrial Machinery Manufacturing", False, 5.0,
        "{stem} Engineering|{stem} Manufacturing|{stem} Industries|{stem} Components".split("|"),
        _levels(
            "Production Operative|Graduate Engineer|Maintenance Technician",
            "Manufacturing Engineer|Quality Engineer|Production Planner",
            "Senior Manufacturing Engineer|Production Manager|Quality Manager",
            "Head of Operations|Plant Manager|Engineering Manager",
            "Operations Director|Managing Director",
        ),
        _s("Manufacturing|Lean Manufacturing|Quality Management|AutoCAD|SolidWorks|Six Sigma"
           "|Continuous Improvement|Root Cause Analysis|Production Planning"),
        _s("lean manufacturing|industrial automation|quality systems|additive manufacturing"),
        _s("Mechanical Engineering|Manufacturing Engineering|Business Management"),
    ),
    Sector(
        "construction", "Construction", False, 4.0,
        "{stem} Construction|{stem} Build|{stem} Civil Engineering|{stem} Homes".split("|"),
        _levels(
            "Site Engineer|Assistant Quantity Surveyor|Apprentice",
            "Quantity Surveyor|Site Manager|Project Engineer|Estimator",
            "Senior Project Manager|Senior Quantity Surveyor|Contracts Manager",
            "Construction Director|Head of Commercial",
            "Managing Director|Chief Executive",
        ),
        _s("Construction|Project Management|AutoCAD|Quantity Surveying|Contract Management"
           "|Health and Safety|BIM|Civil Engineering|Cost Management"),
        _s("infrastructure delivery|modular construction|building safety|net-zero buildings"),
        _s("Civil Engineering|Quantity Surveying|Architecture|Construction Management"),
    ),
    Sector(
        "automotive", "Motor Vehicle Manufacturing", False, 2.0,
        "{stem} Motors|{stem} Automotive|{stem} Mobility".split("|"),
        _levels(
            "Graduate Engineer|Technician|Apprentice",
            "Design Engineer|Calibration Engineer|Test Engineer",
            "Senior Engineer|Programme Manager|Powertrain Lead",
            "Chief Engineer|Head of Vehicle Engineering",
            "Engineering Director|Managing Director",
        ),
        _s("Automotive|CAD|Powertrain|Electric Vehicles|Battery Systems|Vehicle Dynamics"
           "|Product Development|Validation"),
        _s("electric vehicles|battery systems|autonomous driving|vehicle safety"),
        _s("Mechanical Engineering|Automotive Engineering|Electrical Engineering"),
    ),
    Sector(
        "nonprofit", "Non-profit Organizations", False, 2.0,
        "{stem} Foundation|{stem} Trust|{stem} Aid|Friends of {town}".split("|"),
        _levels(
            "Volunteer Coordinator|Fundraising Assistant|Project Officer",
            "Fundraiser|Programme Officer|Campaigns Officer",
            "Senior Programme Manager|Head of Fundraising|Policy Manager",
            "Director of Programmes|Director of Policy",
            "Chief Executive|Executive Director",
        ),
        _s("Fundraising|Non-profit Management|Volunteer Management|Grant Writing|Advocacy"
           "|Community Engagement|Campaigning|Programme Management"),
        _s("community development|humanitarian response|child poverty|climate advocacy"),
        _s("Sociology|International Development|Politics|Geography|English"),
    ),
    Sector(
        "recruiting", "Staffing and Recruiting", False, 1.5,
        "{stem} Recruitment|{stem} Talent|{stem} Executive Search|{stem} People|{stem}HR"
        .split("|"),
        _levels(
            "Trainee Recruitment Consultant|Resourcer|Recruitment Coordinator",
            "Recruitment Consultant|Talent Acquisition Partner|Researcher|Executive Recruiter",
            "Senior Recruitment Consultant|Principal Consultant|Senior Talent Partner"
            "|Senior Headhunter|Senior Recruitment Partner",
            "Associate Director|Head of Talent|Director, Executive Search"
            "|Talent Acquisition Director|Head of Global Talent",
            "Managing Director|Founder|Partner, Executive Search",
        ),
        _s("Recruitment|Talent Acquisition|Executive Search|Headhunting|Sourcing|Recruiting"
           "|Interviewing|Candidate Assessment|Employer Branding|Boolean Search|Negotiation"
           "|Networking|Human Resources|Business Development"),
        _s("executive search|technology hiring|engineering recruitment|graduate recruitment"
           "|cleared-role recruitment|interim management"),
        _s("Business Management|Psychology|History|English|Marketing"),
    ),
    Sector(
        "think_tank", "Think Tanks", False, 0.5, (
            "{stem} Institute for International Affairs|Centre for {topic} Studies"
            "|{stem} Policy Institute|Institute for {topic}|{stem} Foundation for Strategic Studies"
        ).split("|"),
        _levels(
            "Research Assistant|Intern|Programme Assistant",
            "Research Analyst|Researcher|Programme Coordinator",
            "Research Fellow|Senior Researcher|Programme Manager"
            "|Project Manager, International Exchange|Senior Research Fellow",
            "Senior Fellow|Director of Studies|Head of Programme|Deputy Director",
            "Director|President|Executive Director",
        ),
        _s("Policy Research|International Relations|Geopolitics|Report Writing|Security Studies"
           "|Qualitative Research|Public Speaking|Event Management|Foreign Policy|Research"
           "|Policy Analysis|Cross-cultural Communication|Diplomacy"),
        _s("China's foreign policy|European security|Indo-Pacific strategy|arms control"
           "|technology and geopolitics|transatlantic relations|economic statecraft"),
        _s("International Relations|War Studies|Politics|History|Chinese Studies|Economics"),
    ),
    Sector(
        "local_government", "Government Administration", False, 2.5,
        "{town} City Council|{town} County Council|{town} Borough Council".split("|"),
        _levels(
            "Customer Services Officer|Graduate Trainee|Planning Assistant",
            "Planning Officer|Housing Officer|Policy Officer|Project Officer",
            "Senior Planning Officer|Team Manager|Service Manager",
            "Head of Service|Assistant Director",
            "Chief Executive|Director of Place",
        ),
        _s("Local Government|Planning|Housing|Public Sector|Community Engagement"
           "|Project Management|Policy Development|Budget Management"),
        _s("housing delivery|town planning|local transport|community safety"),
        _s("Geography|Planning|Politics|Sociology|Public Policy"),
    ),
)  # fmt: skip

SECTOR_INDEX: dict[str, int] = {s.key: i for i, s in enumerate(SECTORS)}
SENSITIVE_SECTORS: frozenset[int] = frozenset(i for i, s in enumerate(SECTORS) if s.sensitive)

#: departments for university orgs: (name, sensitive research?)
DEPARTMENTS: tuple[tuple[str, bool], ...] = (
    ("Department of Physics", True),
    ("Department of Chemistry", True),
    ("Department of Electrical Engineering", True),
    ("Department of Computer Science", True),
    ("Department of Materials Science", True),
    ("Department of Aerospace Engineering", True),
    ("Quantum Technologies Laboratory", True),
    ("Department of Biochemistry", True),
    ("Department of History", False),
    ("Business School", False),
    ("School of Law", False),
    ("Department of English", False),
    ("Department of Sociology", False),
    ("Department of Economics", False),
)

GENERIC_SKILLS: tuple[str, ...] = _s(
    "Leadership|Communication|Teamwork|Microsoft Office|Project Management|Public Speaking"
    "|Problem Solving|Strategic Planning|Research|Negotiation|Time Management|Mentoring"
)
