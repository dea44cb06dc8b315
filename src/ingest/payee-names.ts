// Word lists used by payeeKind() in normalise.ts to tell a person's name from an organisation's.
//
// Written for this project from general knowledge of names and business vocabulary (no third-party
// list was copied). All entries are lower case, without punctuation. Keep each list alphabetical
// within its group so additions are easy to review.

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/**
 * Common given names in the UK and Ireland, including names common in the UK's South Asian, Polish,
 * African, Caribbean and other communities. A name here is "strong": on its own it is enough to make
 * `Forename Surname` read as a person.
 */
export const GIVEN_NAMES: ReadonlySet<string> = new Set(words(`
  aaron abdul abdullah abraham adam adrian aidan ailsa aiden alan alasdair alastair albert alec alex
  alexander alexandra alexis alfie alfred ali alice alicia alison alistair allan allison alun amanda
  amelia amos amy andrea andreas andrew andy angela angelina angus anita ann anna anne annette annie
  anthony antoinette antonio antony archie arnold arthur ashok audrey barbara barrie barry beatrice
  ben benjamin bernadette bernard beryl beth bethan bethany betty beverley billy brandon brenda
  brendan brian bridget brooke bryan bryony caitlin callum calum cameron carl carla carlos carly
  carol carole caroline carolyn cath catherine cathy cecilia cecily charles charlie charlotte chelsea
  cheryl chloe chris christian christina christine christopher claire clara clare claudia clifford
  clive colette colin connor conor constance craig cynthia damian damien dan daniel daniella
  danielle danny daphne darren darryl dave david dean debbie deborah debra declan denise dennis
  derek diana diane dianne dominic donald donna doreen doris dorothy douglas duncan dylan eddie edith
  edmund edward edwin eileen elaine eleanor elena eliza elizabeth ella ellen ellie elliot elliott
  eloise elsie emily emma eric erica ernest esther ethan eugene evan eve evelyn ewan fiona florence
  frances francesca francis freda freddie frederick gail gareth garry gary gavin gemma geoffrey george
  georgina gerald geraldine gerard gethin gillian glenys glyn gordon graeme graham gregory
  gwen gwyneth hannah harold harriet harry hayley heidi helen helena henry herbert hilary howard hugh
  hugo iain ian imogen irene isaac isabel isabella isabelle isla ivan jack jackie jacob jacqueline
  jacqui jake james jamie jan jane janet janice jasmine jason jayne jean jeanette jeffrey jemima jenna
  jennifer jenny jeremy jessica jill jim jimmy joan joanna joanne jodie joe joel john johnny jon
  jonathan joseph josephine josh joshua joyce judith judy julia julian julie justin karen karl kate
  katherine kathleen kathryn katie katrina kay keith kelly kenneth kerry kevin kieran kim kimberley
  kirsty kyle laura lauren leah leanne lee len leon leonard lesley leslie liam linda lindsay lindsey
  lisa lois lorna lorraine louis louisa louise lucas lucy luke lydia lynda lynn lynne madeleine
  maggie malcolm mandy marcus margaret maria marian marie marilyn marion mark martin martina mary
  matthew maureen maurice max megan melanie melissa michael michaela michelle mick mike mildred miriam
  mitchell molly monica muriel nancy naomi natalie natasha nathan nathaniel neil nicholas nick nicola
  nicole nigel noel norma norman oliver olivia oscar owen pamela patricia patrick paul paula pauline
  penelope penny pete peter philip philippa phillip phoebe phyllis rachael rachel ralph raymond
  rebecca reginald rhian rhys richard rita rob robbie robert roberta robyn rodney roger ronald
  rosalind rosemary ross roy ruth ryan sally sam samantha samuel sandra sara sarah scott sean
  sebastian shane sharon shaun sheila shirley sian simon sonia sophie stacey stella stephanie
  stephen steve steven stewart stuart sue susan suzanne sylvia tamsin tanya teresa terence terry
  theo theresa thomas tim timothy tina toby tom tommy toni tony tracey tracy trevor tristan valerie
  vanessa vera veronica vicky vincent vivien vivienne walter wayne wendy william yvonne zoe
  zachary

  aisling aoife brid caoimhe cathal cian ciara ciaran clodagh colm conall cormac dara deirdre
  dermot diarmuid donal eamon eamonn eimear eithne eoin fergal fergus finbar fionnuala grainne
  maeve mairead mhairi morag niall niamh oisin orla padraig roisin ronan saoirse seamus shauna
  sinead siobhan tadhg una

  alun bronwen dafydd dai dilys emyr eurig ffion gwyn huw ieuan iwan lowri meirion nia rhodri
  sioned

  aamir abdur abid adeel adil adnan afzal ahmad ahmed aisha akbar akram alia amer amin amina amir
  amjad anwar aqib arif arshad asad asghar ashfaq ashraf asif asim aslam asma atif ayesha azam azhar
  aziz babar basharat bilal bushra danish ehsan fahad faisal faiza farah farhan farida farooq
  fatima fawad fazal ghulam habib hafiz haider hamid hamza haris haroon hassan hina humaira hussain
  iftikhar imran iqbal iram irfan ishaq ismail jabbar jamal jamil javed junaid kamran kashif khadija
  khalid khurram kiran liaqat liaquat lubna mahmood majid mansoor maqsood mariam maryam masood mehmood
  mehreen mohamed mohammad mohammed muhammad muhammed mukhtar munir mushtaq nabeel nadeem nadia nadim
  naeem naila nasim nasir nasreen naveed nawaz nazia nighat noreen nusrat omar parveen qasim rabia
  rafiq rahim rashid razia rehana riaz rizwan robina rubina rukhsana sabrina sadia saeed sajid
  sajjad saleem salim samina sana saqib shabana shabir shafiq shahid shahida shahzad shakeel shamim
  shaukat shazia shoaib sobia sohail sultan tahir talat tanveer tariq tasneem uzma umar usman waqar
  wasim waseem yasir yasmin yasmeen yousaf yusuf zafar zahid zahida zainab zeeshan zubair zulfiqar

  abul aminul anisur habibur jahanara kamrul mizanur mujibur nazrul nurul rezaul ruhul saiful
  shafiqul shahidul shamsul syed

  aarti ajay alok amit anand anil anjali ankit anuj archana arjun arun ashish asha bharat bhavna
  chetan deepa deepak dev dhruv dilip dinesh divya geeta girish gita hema hitesh jayesh jignesh jyoti
  kalpana kamlesh kavita ketan kishore krishna lakshmi mahesh mamta manish manoj meena mukesh nalini
  naresh neha nikhil nilesh nisha nitin pankaj paresh pooja poonam pradeep prakash pravin preeti
  priya rahul rajesh rajiv rakesh ramesh ravi rekha ritesh ritu rohit sachin sameer sandeep sangeeta
  sanjay sanjeev satish savita seema shilpa shreya shyam siddharth sita smita sudhir sunil sunita
  suresh sushma swati tarun umesh usha varsha varun veena vijay vikas vikram vinod vivek yogesh

  amarjit baljit balbir balwinder daljit gurdeep gurjit gurmit gurpreet hardeep harinder harjinder
  harjit harpreet inderjit jagdeep jagjit jasbir jaspreet jaswinder kamaljit karamjit kuldeep kuldip
  kulwant mandeep manjit manpreet navdeep paramjit parminder rajinder rajvinder ranjit sarbjit
  satnam sukhdev sukhjit sukhwinder surinder tejinder

  agnieszka aleksandra andrzej artur bartosz beata dariusz dorota ewa grzegorz iwona jacek jakub
  janusz jaroslaw jerzy joanna justyna kamil karolina katarzyna krzysztof lukasz magdalena
  malgorzata marcin marek mariusz marta mateusz michal monika natalia paulina pawel piotr
  przemyslaw rafal slawomir sylwia szymon tomasz urszula weronika wojciech zbigniew zofia

  adriana alina andrei bogdan cristian dmitri elena florin ionut irina mihai mykola natalya oleksandr
  olga sergei svetlana tatiana vladimir

  abimbola adebayo adewale ayodele babatunde chidi chinedu chukwuma emeka femi folake funmilayo
  ifeanyi kehinde kemi ngozi nkechi olu olumide oluwaseun segun taiwo temitope tunde uche yetunde
  abena akua efua kofi kojo kwabena kwaku kwame farai tatenda tendai thabo themba sipho nomsa

  alessandro francesco giovanni giuseppe giulia luca marco paolo javier jorge jose juan luis manuel
  miguel pedro francois philippe pierre jurgen klaus stefan wolfgang anders lars nils sven ingrid
  astrid georgios konstantinos nikos yiannis eleni katerina ahmet ayse elif emre fatma mehmet mustafa
  zeynep hussein khaled mahmoud youssef samir tarek walid leila layla rami
`));

/**
 * Given names that are also ordinary words, places or common first words of firm names ("Grace
 * Church", "Victoria Park", "Holly Lodge", "Grant Thornton", "Morgan Hunt"). They count as a forename
 * only with more evidence: a title, a comma form (`SMITH, ROSE`), or a following initial or second
 * given name (`Rose M Smith`).
 */
export const WORDLIKE_GIVEN_NAMES: ReadonlySet<string> = new Set(words(`
  amber angel april ashley chelsea daisy dawn georgia stanley victoria austin autumn bill blessing bob carter chase chester crystal destiny dale
  duke earl faith fern frank glen glenn grace grant guy harvey hazel heather holly hope hunter india
  iris ivy jade jordan joy june lewis lily lincoln marshall mason may miles morgan murray nelson
  olive patience pearl poppy precious preston prince ray robin rocky rose ruby russell sky sterling
  summer sunny violet wade warren will willow
`));

/**
 * Common surnames in the UK and Ireland (including common South Asian, Polish and other surnames
 * carried in the UK). Used only to accept a word-like given name ("Victoria Norton", "Ray Oliver",
 * "A P Wood") where the given name alone would not be enough.
 */
export const COMMON_SURNAMES: ReadonlySet<string> = new Set(words(`
  adams ahmed akhtar ali allen anderson andrews archer armstrong atkinson bailey baker ball banks
  barker barnes barrett bates begum bell bennett berry bird bishop booth bradley brooks brown burgess
  burns burton butler byrne campbell carr carter chapman clark clarke cole collins cook cooke cooper
  cox cross curtis davies davis dawson day dean dixon donnelly doyle duffy dunn edwards elliott ellis
  evans fisher fletcher ford foster fox francis freeman gardner gibson gill graham grant gray green
  gregory griffiths hall hamilton harding harris harrison hart harvey hawkins hayes henderson hill
  hodgson holland holmes hopkins howard hudson hughes hunt hunter hussain jackson james jenkins
  johnson johnston jones kaur kelly kennedy khan king knight kowalski lane lawrence lee lewis lloyd
  long lowe marsh marshall martin mason matthews mccarthy mcdonald miller mills mitchell moore morgan
  morris murphy murray newman newton nicholls nicholson norton nowak obrien oconnor oliver owen owens
  page palmer parker parry parsons patel payne pearce pearson perry phillips porter powell price
  quinn rahman reed rees reid reynolds richards richardson riley roberts robertson robinson robson
  rogers rose ross russell ryan saunders scott shah sharp shaw shepherd simpson singh smith spencer
  stevens stewart stone sullivan sutton taylor thomas thompson thomson turner walker walsh walton
  ward watson watts webb webster wells west white whitehead wilkinson williams williamson wilson wood
  woods wright yates young
`));

/** Honorifics that start a person's name. Lord/Lady/Master are left out: they start too many place names. */
export const TITLES: ReadonlySet<string> = new Set(words(`
  mr mrs ms miss mx dr doctor prof professor rev revd reverend sir dame cllr councillor fr father
  sister capt captain sgt
`));

/** Letters after a person's name (degrees, honours, professional bodies) and generational suffixes. */
export const POST_NOMINALS: ReadonlySet<string> = new Set(words(`
  aca acca arb ba bds bem bsc cbe ceng cipfa cta dbe dl esq fca fcca frcp frcs frics frtpi hons ii
  iii jnr jp jr junior kbe kc llb llm ma mb mba mbe mbchb mcieh mciob mcsp md meng mice mp mrcgp mrcp
  mrcs mrcvs mrics mrtpi msc obe phd qc rgn riba rmn snr sr qpm kpm qfsm gm mvo lvo cvo frsa fcipd mcipd
`));

/**
 * Words that mark a name as an organisation: legal forms, institutions, trades, goods and services,
 * and generic business vocabulary. A forename followed by one of these ("Jordan Tree Surgery",
 * "Scott Mitchell Associates") is an organisation.
 */
export const ORGANISATION_WORDS: ReadonlySet<string> = new Set(words(`
  ltd limited plc llp llc lp inc incorporated corp corporation co company companies cic cio gmbh ag
  bv nv sa sarl srl spa pty pvt ulc lc ptnrs partners partnership partnerships associates associate
  assoc association associations holdings holding group groups trust trustees trustee foundation
  charity charitable society soc club clubs league union federation institute institution guild
  council councils borough county district parish city town village authority authorities board
  commission commissioner commissioners department dept ministry office agency agencies executive
  government govt hmrc dvla dvsa nhs icb ccg hospital hospitals hospice surgery practice clinic
  clinics medical medicare health healthcare pharmacy pharmacies pharma chemist chemists dental
  dentist dentists optician opticians opticals optical ophthalmic physio physiotherapy therapy
  therapies care carers caring homecare nursing nurses residential home homes housing hostel hostels
  accommodation lettings letting estates estate property properties developments development
  investments investment capital finance financial fund funds insurance insurances assurance bank
  banking building society mutual credit loans leasing lease rentals rental hire hiring
  school schools academy academies college colleges university universities nursery nurseries
  preschool playgroup kindergarten education educational learning training trainers tuition tutors
  church churches chapel cathedral parochial diocese diocesan mosque masjid  gurdwara synagogue
  mission ministries congregation
  services service solutions solution systems system consulting consultancy consultancies consultants
  consultant
  consultation advisory advisers advisors management managers
  centre center centres centers hub hall halls venue venues theatre theatres cinema museum museums
  gallery galleries library libraries studio studios arena stadium leisure sports sport sporting
  fitness gym gymnastics football cricket rugby hockey netball tennis golf bowling bowls boxing
  swimming athletic athletics rovers wanderers albion fc afc cc rfc rufc abc
  uk gb britain british england  scotland scottish wales  ireland irish europe european
  international intl global national regional local     northern southern eastern
  western midlands central metropolitan
  products product supplies supply supplier suppliers distribution distributors distributor
  wholesale wholesalers wholesaler trading traders trade merchants merchant retail retailers stores
  store shop shops supermarket supermarkets market markets warehouse depot outlet mart  carry
  direct online express digital technologies technology tech software computers computer computing
  it ict telecom telecoms telecommunications communications comms networks network data systems
  electronics electronic electrical electrics electric electricals energy  gas water utilities
  utility fuel fuels oil oils petroleum solar renewables recycling waste skips skip environmental
  environment ecology ecological
  media marketing advertising publishing publishers publications press news newspaper newspapers
  magazine radio tv television productions production films film pictures photography photographic
  design designs designers creative creatives graphics print printing printers signs signage
  engineering engineers engineer fabrication fabrications welding machinery machines  tools
  equipment instruments controls automation hydraulics pneumatics mechanical
  construction constructions contractors contractor contracting builders builder building buildings
  build developments joinery joiners roofing roofs roofers plumbing plumbers heating boilers
  ventilation refrigeration glazing windows doors kitchens bathrooms flooring floors carpets tiles
  tiling plastering plasterers decorating decorators painting painters scaffolding groundworks
  groundwork drainage drains paving surfacing tarmac asphalt demolition excavations aggregates
  concrete timber  metals metal  landscaping landscapes landscape gardening gardens garden
  garages garage nurseries horticulture horticultural arboriculture arboricultural tree trees forestry
  surgeons fencing fences 
  motors motor auto autos automotive vehicles vehicle cars car vans  trucks truck tyres tyre
  coachworks bodyshop repairs repair maintenance servicing transport transportation haulage logistics
  freight shipping couriers courier delivery deliveries removals storage taxis taxi cabs cab coaches
  coach buses bus travel tours tourism airlines airline airways rail railway railways trains
  catering caterers cafe cafes coffee restaurant restaurants bistro bar bars pub pubs inn inns hotel
  hotels lodge guesthouse bakery bakers butchers  foods food drinks beverages brewery
  wines dairy dairies farm farms farming produce florist florists flowers
  cleaning cleaners cleaner hygiene laundry janitorial facilities pest control security guarding
  alarms alarm locksmiths locksmith fire safety protection rescue ambulance
  legal  solicitors solicitor lawyers barristers chambers notaries accountants accountancy
  accounting auditors audit actuaries surveyors surveying architects architecture planning planners
  valuers auctioneers agents agent brokers broker recruitment recruit staffing personnel resourcing
  employment jobs careers
  events event entertainment entertainments music musical sound audio video lighting staging
  marquees amusements funfair theatrical arts art crafts
  memorials monumental funeral funerals undertakers crematorium cemetery
  pets veterinary vets animal animals kennels cattery equestrian stables riding
  youth children childrens kids family families women womens mens men people peoples community
  communities neighbourhood residents tenants volunteers volunteer voluntary friends support action
  aid relief appeal project projects programme partnership forum network alliance collective
  cooperative coop initiative initiatives enterprise enterprises ventures venture industries
  industrial manufacturing manufacturers works workshop workshops mills mill factory labs laboratory
  laboratories research innovation innovations
  the of and for t/a ta t/as account accounts client clients bacs payroll pension pensions
  benefits allowance allowances grants petty sundry various
  resources resource specialist specialists professional professionals experts expert
  team teams unit units division line lines world worldwide zone
  bros brothers sons son daughters police constabulary probation prison prisons tribunal tribunals
  crown royal mayor mayors registry  interiors furniture furnishings blinds curtains upholstery
  textiles clothing uniforms workwear footwear fashion jewellers hair hairdressing beauty salon
  barbers spa nails  yoga pilates karate judo taekwondo driving instructors lessons tutoring
  translation translations interpreting interpreters languages language counselling coaching
  mediation advocacy independent living domiciliary supported respite lifestyle wellbeing wellness
  recovery rehabilitation rehab mobility stairlifts lifts lift adaptations aids hearing eyecare
  optometrists podiatry chiropody osteopathy chiropractic psychology psychological forensic forensics
  investigations investigation intelligence analytics insight surveys compliance inspection
  inspections testing calibration certification assessment assessments parking enforcement bailiffs
  collections debt banners flags trophies awards gifts toys games books bookshop stationery paper
  packaging plastics chemicals paints hardware ironmongery diy electricians electrician plumber roofer
  joiner handyman rooms apartments flats residence residences cottages caravans caravan camping
  holidays holiday adventure outdoor outdoors activities activity playgrounds play playground toilets
  portable containers cabins marquee kitchen kitchens bikes cycles cycling motorcycles boats marine
  aviation aerospace defence dynamics concepts creations images imaging visions sounds acoustics
  installations installers fitters fitting fittings fixings fasteners components parts spares
  accessories imports exports brands branding promotions promotional displays exhibitions
  conferences conference locums locum medics dentistry orthodontics pharmaceutical pharmaceuticals
  diagnostics scientific science sciences analysis analytical heritage archaeology archaeological
  conservation restoration renovations refurbishment refurbishments upvc aluminium brickwork
  masonry insulation damp proofing waterproofing cladding guttering chimney sweeps sweepers gritting
  grounds lawns turf turfcare mowers mowing hedges pumps pipes valeting valet carwash breakdown
  tippers tipper scrap salvage dismantling minibus minibuses fostering adoption nanny nannies
  cakes sweets confectionery chocolate pizza kebab takeaway diner grill barbecue  chips
  stairs signwriting sewer sewage septic tanks jetting locks  doors shutters blinds audio visual
  av pa pro plus bodies gym fitness personal trainer coach coaches tours guides guiding scouts
  guides brownies cubs brigade majorettes band bands choir orchestra singers players theatre
  collective committee trust fc house court lodge grange manor farm castle chapel street temple mill
  dance contracts contract website websites web natural leather literacy childminding childminder
  childcare platforms licensing licence licences limit limite organisation organisations
  organization discount disability disabilities communication plaster tv reclamation collaborative
  cottage cottages
`));

/**
 * Words describing what a person does. After a title they are read as part of the person's name
 * ("Dr Neil Papworth Consultant Neuropathologist"); without a title they mark a trade, as
 * ORGANISATION_WORDS do.
 */
export const PERSON_DESCRIPTORS: ReadonlySet<string> = new Set(words(`
  accountant advocate anaesthetist architect artist barrister consultant counsellor dentist doctor
  gp interpreter mediator neuropathologist paediatrician pathologist photographer physician
  physiotherapist psychiatrist psychologist psychotherapist radiologist solicitor surgeon surveyor
  therapist translator tutor
`));

/**
 * Organisation words that are also common surnames (Hall, Wood, Green, Church, Park...). They mark an
 * organisation except as the last word of a clear person's name with a strong given name or a title
 * ("Peter Hall", "Mr Christian Durham Hall"); "Victoria Park" and "Grace Church" stay organisations.
 */
export const SURNAME_LIKE_ORGANISATION_WORDS: ReadonlySet<string> = new Set(words(`
  bank banks brook butcher cash church cross east english field fields fish ford gate gates glass
  green hall hill hills keys lane law marsh mills moor north park plant power south steel stone wells
  welsh west wood woods
`));

/**
 * Well-known firms and charities whose whole name reads like a person's name. Checked against the
 * name with punctuation removed (`marks spencer` for "Marks & Spencer").
 */
export const PERSON_NAMED_ORGANISATIONS: ReadonlySet<string> = new Set([
  'anthony collins', 'arnold clark', 'bevan brittan', 'carter jonas', 'dorothy perkins',
  'eddie stobart', 'ernest jones', 'gerald eve', 'gordon dadds', 'grant thornton', 'harvey nichols',
  'howard kennedy', 'hugh james', 'irwin mitchell', 'jack wills', 'john lewis', 'john menzies',
  'laura ashley', 'lewis silkin', 'marie curie', 'morgan hunt', 'morgan sindall', 'oliver bonas',
  'paul smith', 'peter jones', 'robert dyas', 'ronald mcdonald', 'russell cooke', 'sue ryder',
  'ted baker', 'thomas cook', 'wilkin chapman', 'warren evans', 'john west', 'emma bridgewater', 'dennis eagle', 'leonard cheshire', 'martin mccoll',
]);

/** Words (alone or together) that say a payee's name has been masked. */
export const REDACTION_MARKERS: ReadonlySet<string> = new Set(words(`
  anonymised anonymized anonymous confidential confidentiality hidden individual individuals masked
  personal private protected protection redact redacted removed restricted sensitive sensitivity
  suppressed undisclosed withheld gdpr dpa claimant claimants recipient recipients applicant
  applicants
`));

/** Markers that mean "masked" wherever they appear in the name. */
export const STRONG_REDACTION_MARKERS: ReadonlySet<string> = new Set(words(`
  redacted withheld undisclosed anonymised anonymized
`));

/** Filler words that may accompany a redaction marker ("Personal Information Withheld"). */
export const REDACTION_FILLER: ReadonlySet<string> = new Set(words(`
  a an the of for to due under reason reasons act and is has been name names detail details data
  info information supplier suppliers payee payees beneficiary beneficiaries
  person persons party third payment payments commercial commercially not disclosed disclosure
  service user users landlord landlords member members public provider providers customer customers
  client clients tenant tenants category compensation grant grants benefit benefits housing
`));

/** Whole names that carry no payee at all. */
export const NO_NAME_VALUES: ReadonlySet<string> = new Set([
  'n a', 'na', 'none', 'null', 'nil', 'unknown', 'not known', 'not applicable', 'tbc', 'tba', 'blank',
  'no name', 'no supplier', 'nobody', '0',
]);
