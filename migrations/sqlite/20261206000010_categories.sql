-- The closed category tree (docs/cross-border.md#the-category-tree): every product's `category` is
-- the code of one of these rows. A code is stable (`beauty.skincare`): its parent is the code
-- before its last dot, and a product in it is "under" every ancestor (the gate's rules and the
-- product list's filter match on that). `names` is a JSON object holding the category's name in
-- each of the 16 locales. A retired category takes no new products; the ones it has keep it.
-- Timestamps are milliseconds since the Unix epoch.
CREATE TABLE categories (
    code        TEXT   PRIMARY KEY,
    parent      TEXT   REFERENCES categories (code),
    names       TEXT   NOT NULL,
    retired_at  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX categories_parent ON categories (parent);

-- The tree for what the border hubs sell: every category the demo catalog, the regulated-
-- categories file, the README and the load generator used when it was made, and their
-- neighbours. Codes sort into the tree's order (a parent first, '.' before any letter).
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food', NULL,
     '{"zh-CN": "食品", "en": "Food", "ru": "Продукты питания", "kk": "Азық-түлік", "ky": "Азык-түлүк", "uz": "Oziq-ovqat", "tt": "Азык-төлек", "mn": "Хүнс", "vi": "Thực phẩm", "th": "อาหาร", "id": "Makanan", "ms": "Makanan", "fil": "Pagkain", "km": "អាហារ", "lo": "ອາຫານ", "my": "အစားအစာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.meat', 'food',
     '{"zh-CN": "肉类", "en": "Meat", "ru": "Мясо", "kk": "Ет", "ky": "Эт", "uz": "Go''sht", "tt": "Ит", "mn": "Мах", "vi": "Thịt", "th": "เนื้อสัตว์", "id": "Daging", "ms": "Daging", "fil": "Karne", "km": "សាច់", "lo": "ຊີ້ນ", "my": "အသား"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.seafood', 'food',
     '{"zh-CN": "水产海鲜", "en": "Fish and seafood", "ru": "Рыба и морепродукты", "kk": "Балық және теңіз өнімдері", "ky": "Балык жана деңиз азыктары", "uz": "Baliq va dengiz mahsulotlari", "tt": "Балык һәм диңгез продуктлары", "mn": "Загас, далайн бүтээгдэхүүн", "vi": "Cá và hải sản", "th": "ปลาและอาหารทะเล", "id": "Ikan dan makanan laut", "ms": "Ikan dan makanan laut", "fil": "Isda at pagkaing-dagat", "km": "ត្រី និងអាហារសមុទ្រ", "lo": "ປາ ແລະ ອາຫານທະເລ", "my": "ငါးနှင့် ပင်လယ်စာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.dairy', 'food',
     '{"zh-CN": "乳制品", "en": "Dairy", "ru": "Молочные продукты", "kk": "Сүт өнімдері", "ky": "Сүт азыктары", "uz": "Sut mahsulotlari", "tt": "Сөт продуктлары", "mn": "Сүүн бүтээгдэхүүн", "vi": "Sản phẩm từ sữa", "th": "ผลิตภัณฑ์นม", "id": "Produk susu", "ms": "Produk tenusu", "fil": "Mga produktong gatas", "km": "ផលិតផលទឹកដោះគោ", "lo": "ຜະລິດຕະພັນນົມ", "my": "နို့ထွက်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.grocery', 'food',
     '{"zh-CN": "粮油干货", "en": "Grocery", "ru": "Бакалея", "kk": "Бакалея", "ky": "Бакалея", "uz": "Bakaleya", "tt": "Бакалея", "mn": "Хүнсний бараа", "vi": "Hàng khô", "th": "ของแห้ง", "id": "Bahan pokok", "ms": "Barangan runcit", "fil": "Groseri", "km": "គ្រឿងឧបភោគបរិភោគ", "lo": "ເຄື່ອງແຫ້ງ", "my": "ကုန်စုံ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.confectionery', 'food',
     '{"zh-CN": "糖果糕点", "en": "Confectionery", "ru": "Кондитерские изделия", "kk": "Кондитерлік өнімдер", "ky": "Кондитердик азыктар", "uz": "Qandolat mahsulotlari", "tt": "Кондитер әйберләре", "mn": "Чихэр, амттан", "vi": "Bánh kẹo", "th": "ขนมหวาน", "id": "Kembang gula dan kue", "ms": "Konfeksi", "fil": "Matatamis", "km": "នំ និងស្ករគ្រាប់", "lo": "ເຂົ້າໜົມຫວານ", "my": "မုန့်နှင့် သကြားလုံး"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.beverages', 'food',
     '{"zh-CN": "饮料", "en": "Beverages", "ru": "Напитки", "kk": "Сусындар", "ky": "Суусундуктар", "uz": "Ichimliklar", "tt": "Эчемлекләр", "mn": "Ундаа", "vi": "Đồ uống", "th": "เครื่องดื่ม", "id": "Minuman", "ms": "Minuman", "fil": "Inumin", "km": "ភេសជ្ជៈ", "lo": "ເຄື່ອງດື່ມ", "my": "သောက်စရာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.frozen', 'food',
     '{"zh-CN": "冷冻食品", "en": "Frozen food", "ru": "Замороженные продукты", "kk": "Мұздатылған өнімдер", "ky": "Тоңдурулган азыктар", "uz": "Muzlatilgan mahsulotlar", "tt": "Туңдырылган продуктлар", "mn": "Хөлдөөсөн хүнс", "vi": "Thực phẩm đông lạnh", "th": "อาหารแช่แข็ง", "id": "Makanan beku", "ms": "Makanan sejuk beku", "fil": "Frozen na pagkain", "km": "អាហារកក", "lo": "ອາຫານແຊ່ແຂງ", "my": "အေးခဲအစားအစာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.infant_formula', 'food',
     '{"zh-CN": "婴幼儿配方奶粉", "en": "Infant formula", "ru": "Детские молочные смеси", "kk": "Балалар сүт қоспалары", "ky": "Балдардын сүт аралашмалары", "uz": "Bolalar sut aralashmalari", "tt": "Балалар сөт катнашмалары", "mn": "Нялхсын тэжээл", "vi": "Sữa công thức cho trẻ em", "th": "นมผงสำหรับทารก", "id": "Susu formula bayi", "ms": "Susu formula bayi", "fil": "Gatas na formula para sa sanggol", "km": "ទឹកដោះគោម្សៅសម្រាប់ទារក", "lo": "ນົມຜົງສຳລັບເດັກອ່ອນ", "my": "ကလေးနို့မှုန့်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('food.supplements', 'food',
     '{"zh-CN": "膳食补充剂", "en": "Dietary supplements", "ru": "Биологически активные добавки", "kk": "Биологиялық белсенді қоспалар", "ky": "Биологиялык активдүү кошулмалар", "uz": "Biologik faol qo''shimchalar", "tt": "Биологик актив өстәмәләр", "mn": "Хүнсний нэмэлт бүтээгдэхүүн", "vi": "Thực phẩm chức năng", "th": "ผลิตภัณฑ์เสริมอาหาร", "id": "Suplemen makanan", "ms": "Suplemen makanan", "fil": "Mga suplemento", "km": "អាហារបំប៉ន", "lo": "ອາຫານເສີມ", "my": "အာဟာရဖြည့်စွက်စာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('beauty', NULL,
     '{"zh-CN": "美容化妆品", "en": "Beauty and cosmetics", "ru": "Красота и косметика", "kk": "Сұлулық және косметика", "ky": "Сулуулук жана косметика", "uz": "Go''zallik va kosmetika", "tt": "Матурлык һәм косметика", "mn": "Гоо сайхны бүтээгдэхүүн", "vi": "Làm đẹp và mỹ phẩm", "th": "ความงามและเครื่องสำอาง", "id": "Kecantikan dan kosmetik", "ms": "Kecantikan dan kosmetik", "fil": "Kagandahan at kosmetiko", "km": "សម្រស់ និងគ្រឿងសំអាង", "lo": "ຄວາມງາມ ແລະ ເຄື່ອງສຳອາງ", "my": "အလှကုန်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('beauty.skincare', 'beauty',
     '{"zh-CN": "护肤品", "en": "Skin care", "ru": "Уход за кожей", "kk": "Тері күтімі", "ky": "Териге кам көрүү", "uz": "Teri parvarishi", "tt": "Тирене карау", "mn": "Арьс арчилгаа", "vi": "Chăm sóc da", "th": "ผลิตภัณฑ์ดูแลผิว", "id": "Perawatan kulit", "ms": "Penjagaan kulit", "fil": "Pangangalaga sa balat", "km": "ថែរក្សាស្បែក", "lo": "ບຳລຸງຜິວ", "my": "အသားအရေထိန်းသိမ်းမှု"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('beauty.makeup', 'beauty',
     '{"zh-CN": "彩妆", "en": "Make-up", "ru": "Декоративная косметика", "kk": "Сәндік косметика", "ky": "Декоративдик косметика", "uz": "Dekorativ kosmetika", "tt": "Декоратив косметика", "mn": "Нүүр будалт", "vi": "Trang điểm", "th": "เครื่องสำอางแต่งหน้า", "id": "Tata rias", "ms": "Solekan", "fil": "Make-up", "km": "គ្រឿងផាត់មុខ", "lo": "ເຄື່ອງແຕ່ງໜ້າ", "my": "မိတ်ကပ်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('beauty.haircare', 'beauty',
     '{"zh-CN": "洗护发", "en": "Hair care", "ru": "Уход за волосами", "kk": "Шаш күтімі", "ky": "Чачка кам көрүү", "uz": "Soch parvarishi", "tt": "Чәчкә карау", "mn": "Үс арчилгаа", "vi": "Chăm sóc tóc", "th": "ผลิตภัณฑ์ดูแลเส้นผม", "id": "Perawatan rambut", "ms": "Penjagaan rambut", "fil": "Pangangalaga sa buhok", "km": "ថែរក្សាសក់", "lo": "ບຳລຸງຜົມ", "my": "ဆံပင်ထိန်းသိမ်းမှု"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('beauty.fragrance', 'beauty',
     '{"zh-CN": "香水", "en": "Fragrance", "ru": "Парфюмерия", "kk": "Парфюмерия", "ky": "Парфюмерия", "uz": "Parfyumeriya", "tt": "Парфюмерия", "mn": "Үнэртэн", "vi": "Nước hoa", "th": "น้ำหอม", "id": "Parfum", "ms": "Minyak wangi", "fil": "Pabango", "km": "ទឹកអប់", "lo": "ນ້ຳຫອມ", "my": "ရေမွှေး"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel', NULL,
     '{"zh-CN": "服装", "en": "Apparel", "ru": "Одежда", "kk": "Киім", "ky": "Кийим", "uz": "Kiyim-kechak", "tt": "Кием", "mn": "Хувцас", "vi": "Quần áo", "th": "เสื้อผ้า", "id": "Pakaian", "ms": "Pakaian", "fil": "Damit", "km": "សម្លៀកបំពាក់", "lo": "ເຄື່ອງນຸ່ງ", "my": "အဝတ်အထည်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel.outerwear', 'apparel',
     '{"zh-CN": "外套", "en": "Outerwear", "ru": "Верхняя одежда", "kk": "Сырт киім", "ky": "Сырткы кийим", "uz": "Ustki kiyim", "tt": "Өс кием", "mn": "Гадуур хувцас", "vi": "Áo khoác", "th": "เสื้อผ้าชั้นนอก", "id": "Pakaian luar", "ms": "Pakaian luar", "fil": "Panlabas na damit", "km": "អាវក្រៅ", "lo": "ເຄື່ອງນຸ່ງຊັ້ນນອກ", "my": "အပေါ်ထပ်အင်္ကျီ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel.underwear', 'apparel',
     '{"zh-CN": "内衣", "en": "Underwear", "ru": "Нижнее бельё", "kk": "Іш киім", "ky": "Ич кийим", "uz": "Ichki kiyim", "tt": "Эчке кием", "mn": "Дотуур хувцас", "vi": "Đồ lót", "th": "ชุดชั้นใน", "id": "Pakaian dalam", "ms": "Pakaian dalam", "fil": "Damit-panloob", "km": "ខោអាវទ្រនាប់", "lo": "ເຄື່ອງນຸ່ງຊັ້ນໃນ", "my": "အတွင်းခံ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel.traditional', 'apparel',
     '{"zh-CN": "民族服饰", "en": "Traditional dress", "ru": "Национальная одежда", "kk": "Ұлттық киім", "ky": "Улуттук кийим", "uz": "Milliy kiyim", "tt": "Милли кием", "mn": "Үндэсний хувцас", "vi": "Trang phục truyền thống", "th": "ชุดแต่งกายพื้นเมือง", "id": "Pakaian tradisional", "ms": "Pakaian tradisional", "fil": "Tradisyunal na kasuotan", "km": "សម្លៀកបំពាក់ប្រពៃណី", "lo": "ຊຸດພື້ນເມືອງ", "my": "ရိုးရာဝတ်စုံ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel.footwear', 'apparel',
     '{"zh-CN": "鞋靴", "en": "Footwear", "ru": "Обувь", "kk": "Аяқ киім", "ky": "Бут кийим", "uz": "Poyabzal", "tt": "Аяк киеме", "mn": "Гутал", "vi": "Giày dép", "th": "รองเท้า", "id": "Alas kaki", "ms": "Kasut", "fil": "Sapatos", "km": "ស្បែកជើង", "lo": "ເກີບ", "my": "ဖိနပ်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('apparel.accessories', 'apparel',
     '{"zh-CN": "服饰配件", "en": "Accessories", "ru": "Аксессуары", "kk": "Аксессуарлар", "ky": "Аксессуарлар", "uz": "Aksessuarlar", "tt": "Аксессуарлар", "mn": "Дагалдах хэрэгсэл", "vi": "Phụ kiện thời trang", "th": "เครื่องประดับแฟชั่น", "id": "Aksesori", "ms": "Aksesori", "fil": "Mga aksesorya", "km": "គ្រឿងតុបតែងខ្លួន", "lo": "ເຄື່ອງປະດັບ", "my": "ဖက်ရှင်ဆက်စပ်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('textiles', NULL,
     '{"zh-CN": "纺织品", "en": "Textiles", "ru": "Текстиль", "kk": "Тоқыма", "ky": "Текстиль", "uz": "To''qimachilik mahsulotlari", "tt": "Тукыма әйберләр", "mn": "Нэхмэл эдлэл", "vi": "Hàng dệt may", "th": "สิ่งทอ", "id": "Tekstil", "ms": "Tekstil", "fil": "Tela", "km": "វាយនភណ្ឌ", "lo": "ແຜ່ນແພ", "my": "အထည်အလိပ်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('textiles.cashmere', 'textiles',
     '{"zh-CN": "羊绒制品", "en": "Cashmere", "ru": "Кашемир", "kk": "Кашемир", "ky": "Кашемир", "uz": "Kashemir", "tt": "Кашемир", "mn": "Ноолуур", "vi": "Cashmere", "th": "แคชเมียร์", "id": "Kasmir", "ms": "Kashmir", "fil": "Cashmere", "km": "កាស្មៀរ", "lo": "ແຄຊເມຍ", "my": "ကက်ရှ်မီးယား"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('textiles.home', 'textiles',
     '{"zh-CN": "家纺", "en": "Home textiles", "ru": "Домашний текстиль", "kk": "Үй тоқымасы", "ky": "Үй текстили", "uz": "Uy to''qimachiligi", "tt": "Өй тукымасы", "mn": "Гэр ахуйн нэхмэл", "vi": "Hàng dệt gia dụng", "th": "สิ่งทอในบ้าน", "id": "Tekstil rumah tangga", "ms": "Tekstil rumah", "fil": "Tela pambahay", "km": "វាយនភណ្ឌក្នុងផ្ទះ", "lo": "ແຜ່ນແພໃນເຮືອນ", "my": "အိမ်သုံးအထည်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('electronics', NULL,
     '{"zh-CN": "电子产品", "en": "Electronics", "ru": "Электроника", "kk": "Электроника", "ky": "Электроника", "uz": "Elektronika", "tt": "Электроника", "mn": "Электрон бараа", "vi": "Điện tử", "th": "อิเล็กทรอนิกส์", "id": "Elektronik", "ms": "Elektronik", "fil": "Elektroniks", "km": "គ្រឿងអេឡិចត្រូនិក", "lo": "ເຄື່ອງເອເລັກໂຕຣນິກ", "my": "အီလက်ထရောနစ်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('electronics.phones', 'electronics',
     '{"zh-CN": "手机平板", "en": "Phones and tablets", "ru": "Телефоны и планшеты", "kk": "Телефондар мен планшеттер", "ky": "Телефондор жана планшеттер", "uz": "Telefonlar va planshetlar", "tt": "Телефоннар һәм планшетлар", "mn": "Утас, таблет", "vi": "Điện thoại và máy tính bảng", "th": "โทรศัพท์และแท็บเล็ต", "id": "Ponsel dan tablet", "ms": "Telefon dan tablet", "fil": "Mga telepono at tablet", "km": "ទូរសព្ទ និងថេប្លេត", "lo": "ໂທລະສັບ ແລະ ແທັບເລັດ", "my": "ဖုန်းနှင့် တက်ဘလက်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('electronics.audio', 'electronics',
     '{"zh-CN": "影音", "en": "Audio", "ru": "Аудиотехника", "kk": "Аудиотехника", "ky": "Аудиотехника", "uz": "Audio texnika", "tt": "Аудиотехника", "mn": "Аудио төхөөрөмж", "vi": "Âm thanh", "th": "เครื่องเสียง", "id": "Audio", "ms": "Audio", "fil": "Audio", "km": "ឧបករណ៍សំឡេង", "lo": "ເຄື່ອງສຽງ", "my": "အသံစနစ်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('electronics.accessories', 'electronics',
     '{"zh-CN": "数码配件", "en": "Electronic accessories", "ru": "Аксессуары для электроники", "kk": "Электроника аксессуарлары", "ky": "Электроника аксессуарлары", "uz": "Elektronika aksessuarlari", "tt": "Электроника аксессуарлары", "mn": "Цахим дагалдах хэрэгсэл", "vi": "Phụ kiện điện tử", "th": "อุปกรณ์เสริมอิเล็กทรอนิกส์", "id": "Aksesori elektronik", "ms": "Aksesori elektronik", "fil": "Mga aksesorya ng elektroniks", "km": "គ្រឿងបន្លាស់អេឡិចត្រូនិក", "lo": "ອຸປະກອນເສີມເອເລັກໂຕຣນິກ", "my": "အီလက်ထရောနစ် ဆက်စပ်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('appliances', NULL,
     '{"zh-CN": "家用电器", "en": "Home appliances", "ru": "Бытовая техника", "kk": "Тұрмыстық техника", "ky": "Тиричилик техникасы", "uz": "Maishiy texnika", "tt": "Көнкүреш техникасы", "mn": "Гэр ахуйн цахилгаан бараа", "vi": "Đồ gia dụng", "th": "เครื่องใช้ไฟฟ้าในบ้าน", "id": "Peralatan rumah tangga", "ms": "Perkakas rumah", "fil": "Mga kasangkapang pambahay", "km": "ឧបករណ៍ប្រើប្រាស់ក្នុងផ្ទះ", "lo": "ເຄື່ອງໃຊ້ໄຟຟ້າໃນເຮືອນ", "my": "အိမ်သုံးလျှပ်စစ်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('appliances.kitchen', 'appliances',
     '{"zh-CN": "厨房电器", "en": "Kitchen appliances", "ru": "Кухонная техника", "kk": "Ас үй техникасы", "ky": "Ашкана техникасы", "uz": "Oshxona texnikasi", "tt": "Аш бүлмәсе техникасы", "mn": "Гал тогооны цахилгаан хэрэгсэл", "vi": "Thiết bị nhà bếp", "th": "เครื่องใช้ไฟฟ้าในครัว", "id": "Peralatan dapur", "ms": "Perkakas dapur", "fil": "Mga kasangkapan sa kusina", "km": "ឧបករណ៍ផ្ទះបាយ", "lo": "ເຄື່ອງໃຊ້ໃນເຮືອນຄົວ", "my": "မီးဖိုချောင်သုံးလျှပ်စစ်ပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('appliances.personal_care', 'appliances',
     '{"zh-CN": "个护电器", "en": "Personal care appliances", "ru": "Техника для красоты и здоровья", "kk": "Сұлулық пен денсаулық техникасы", "ky": "Сулуулук жана ден соолук техникасы", "uz": "Shaxsiy gigiyena texnikasi", "tt": "Шәхси гигиена техникасы", "mn": "Хувийн арчилгааны хэрэгсэл", "vi": "Thiết bị chăm sóc cá nhân", "th": "เครื่องใช้ไฟฟ้าดูแลส่วนบุคคล", "id": "Peralatan perawatan diri", "ms": "Perkakas penjagaan diri", "fil": "Mga kasangkapan sa pansariling pangangalaga", "km": "ឧបករណ៍ថែរក្សាខ្លួន", "lo": "ເຄື່ອງໃຊ້ດູແລສ່ວນຕົວ", "my": "ကိုယ်ပိုင်စောင့်ရှောက်မှုပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('home', NULL,
     '{"zh-CN": "家居", "en": "Home and kitchen", "ru": "Дом и кухня", "kk": "Үй және ас үй", "ky": "Үй жана ашкана", "uz": "Uy va oshxona", "tt": "Өй һәм аш бүлмәсе", "mn": "Гэр, гал тогоо", "vi": "Nhà cửa và bếp", "th": "บ้านและครัว", "id": "Rumah dan dapur", "ms": "Rumah dan dapur", "fil": "Bahay at kusina", "km": "ផ្ទះ និងផ្ទះបាយ", "lo": "ເຮືອນ ແລະ ເຮືອນຄົວ", "my": "အိမ်နှင့် မီးဖိုချောင်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('home.kitchenware', 'home',
     '{"zh-CN": "厨具", "en": "Kitchenware", "ru": "Посуда", "kk": "Ыдыс-аяқ", "ky": "Идиш-аяк", "uz": "Idish-tovoq", "tt": "Савыт-саба", "mn": "Гал тогооны сав суулга", "vi": "Dụng cụ nhà bếp", "th": "เครื่องครัว", "id": "Peralatan masak", "ms": "Perkakas memasak", "fil": "Mga gamit sa kusina", "km": "ប្រដាប់ប្រដាផ្ទះបាយ", "lo": "ເຄື່ອງຄົວ", "my": "မီးဖိုချောင်သုံး အိုးခွက်ပန်းကန်"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('baby', NULL,
     '{"zh-CN": "母婴", "en": "Baby and kids", "ru": "Детские товары", "kk": "Балалар тауарлары", "ky": "Балдар товарлары", "uz": "Bolalar mahsulotlari", "tt": "Балалар товарлары", "mn": "Хүүхдийн бараа", "vi": "Mẹ và bé", "th": "แม่และเด็ก", "id": "Ibu dan anak", "ms": "Bayi dan kanak-kanak", "fil": "Sanggol at bata", "km": "ទារក និងកុមារ", "lo": "ແມ່ ແລະ ເດັກ", "my": "ကလေးသုံးပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('baby.clothing', 'baby',
     '{"zh-CN": "童装", "en": "Children''s clothing", "ru": "Детская одежда", "kk": "Балалар киімі", "ky": "Балдар кийими", "uz": "Bolalar kiyimi", "tt": "Балалар киеме", "mn": "Хүүхдийн хувцас", "vi": "Quần áo trẻ em", "th": "เสื้อผ้าเด็ก", "id": "Pakaian anak", "ms": "Pakaian kanak-kanak", "fil": "Damit pambata", "km": "សម្លៀកបំពាក់កុមារ", "lo": "ເຄື່ອງນຸ່ງເດັກ", "my": "ကလေးအဝတ်အစား"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('baby.care', 'baby',
     '{"zh-CN": "婴儿护理", "en": "Baby care", "ru": "Уход за малышом", "kk": "Сәби күтімі", "ky": "Наристеге кам көрүү", "uz": "Chaqaloq parvarishi", "tt": "Сабыйны карау", "mn": "Нялхсын арчилгаа", "vi": "Chăm sóc em bé", "th": "ผลิตภัณฑ์ดูแลเด็กทารก", "id": "Perawatan bayi", "ms": "Penjagaan bayi", "fil": "Pangangalaga sa sanggol", "km": "ការថែទាំទារក", "lo": "ເຄື່ອງໃຊ້ເດັກອ່ອນ", "my": "ကလေးစောင့်ရှောက်မှု"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('baby.toys', 'baby',
     '{"zh-CN": "玩具", "en": "Toys", "ru": "Игрушки", "kk": "Ойыншықтар", "ky": "Оюнчуктар", "uz": "O''yinchoqlar", "tt": "Уенчыклар", "mn": "Тоглоом", "vi": "Đồ chơi", "th": "ของเล่น", "id": "Mainan", "ms": "Mainan", "fil": "Mga laruan", "km": "ប្រដាប់ក្មេងលេង", "lo": "ເຄື່ອງຫຼິ້ນ", "my": "ကစားစရာ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('medical_devices', NULL,
     '{"zh-CN": "医疗器械", "en": "Medical devices", "ru": "Медицинские изделия", "kk": "Медициналық бұйымдар", "ky": "Медициналык буюмдар", "uz": "Tibbiy buyumlar", "tt": "Медицина әйберләре", "mn": "Эмнэлгийн хэрэгсэл", "vi": "Thiết bị y tế", "th": "เครื่องมือแพทย์", "id": "Alat kesehatan", "ms": "Peranti perubatan", "fil": "Mga kagamitang medikal", "km": "ឧបករណ៍វេជ្ជសាស្ត្រ", "lo": "ອຸປະກອນການແພດ", "my": "ဆေးဘက်ဆိုင်ရာပစ္စည်း"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('insurance', NULL,
     '{"zh-CN": "保险", "en": "Insurance", "ru": "Страхование", "kk": "Сақтандыру", "ky": "Камсыздандыруу", "uz": "Sug''urta", "tt": "Иминләштерү", "mn": "Даатгал", "vi": "Bảo hiểm", "th": "ประกันภัย", "id": "Asuransi", "ms": "Insurans", "fil": "Seguro", "km": "ធានារ៉ាប់រង", "lo": "ປະກັນໄພ", "my": "အာမခံ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('insurance.travel', 'insurance',
     '{"zh-CN": "旅行保险", "en": "Travel insurance", "ru": "Страхование путешествий", "kk": "Саяхатты сақтандыру", "ky": "Саякатты камсыздандыруу", "uz": "Sayohat sug''urtasi", "tt": "Сәяхәтне иминләштерү", "mn": "Аяллын даатгал", "vi": "Bảo hiểm du lịch", "th": "ประกันการเดินทาง", "id": "Asuransi perjalanan", "ms": "Insurans perjalanan", "fil": "Seguro sa paglalakbay", "km": "ធានារ៉ាប់រងការធ្វើដំណើរ", "lo": "ປະກັນໄພການເດີນທາງ", "my": "ခရီးသွားအာမခံ"}',
     1796515200000, 1796515200000);
INSERT INTO categories (code, parent, names, created_at, updated_at) VALUES
    ('insurance.cargo', 'insurance',
     '{"zh-CN": "货运保险", "en": "Cargo insurance", "ru": "Страхование грузов", "kk": "Жүкті сақтандыру", "ky": "Жүктү камсыздандыруу", "uz": "Yuk sug''urtasi", "tt": "Йөкне иминләштерү", "mn": "Ачааны даатгал", "vi": "Bảo hiểm hàng hóa", "th": "ประกันภัยขนส่งสินค้า", "id": "Asuransi kargo", "ms": "Insurans kargo", "fil": "Seguro sa kargamento", "km": "ធានារ៉ាប់រងទំនិញ", "lo": "ປະກັນໄພສິນຄ້າ", "my": "ကုန်စည်အာမခံ"}',
     1796515200000, 1796515200000);

-- Today's products: free-text categories become tree codes. The usual other words for a
-- category of the tree first, then any category below a code of the tree (`food.meat.beef`)
-- goes to the deepest such code (`food.meat`). A category still outside the tree after this
-- (none of the tree's words: `toys.lego`) stays on its products: the store refuses it only in a
-- new write (a product created with it, or changed to it), docs/cross-border.md.
UPDATE products SET category = 'beauty.skincare'
    WHERE category IN ('cosmetics.skincare', 'cosmetics.skin_care', 'skincare', 'skin_care', 'beauty.skin_care');
UPDATE products SET category = 'beauty.makeup'
    WHERE category IN ('cosmetics.makeup', 'cosmetics.make_up', 'makeup', 'make_up', 'beauty.make_up');
UPDATE products SET category = 'beauty.fragrance'
    WHERE category IN ('cosmetics.perfume', 'cosmetics.fragrance', 'perfume', 'fragrance');
UPDATE products SET category = 'beauty'
    WHERE category = 'cosmetics' OR category LIKE 'cosmetics.%';
UPDATE products SET category = 'apparel'
    WHERE category IN ('clothing', 'clothes', 'fashion') OR category LIKE 'clothing.%';
UPDATE products SET category = 'electronics'
    WHERE category = 'electronic' OR category LIKE 'electronic.%';
UPDATE products SET category = 'appliances'
    WHERE category IN ('home_appliances', 'appliance');
UPDATE products SET category = 'food'
    WHERE category IN ('foods', 'foodstuff', 'grocery');
UPDATE products SET category = (
        SELECT c.code FROM categories c WHERE products.category LIKE c.code || '.%'
        ORDER BY LENGTH(c.code) DESC LIMIT 1)
    WHERE category NOT IN (SELECT code FROM categories)
      AND EXISTS (SELECT 1 FROM categories c WHERE products.category LIKE c.code || '.%');
