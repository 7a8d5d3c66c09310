//! The Russian catalogue.

use super::key::Key;

/// The Russian text of `key`.
#[allow(clippy::too_many_lines)] // one arm per key, by design
pub(super) const fn text(key: Key) -> &'static str {
    match key {
        // Words and units.
        Key::Yes => "да",
        Key::No => "нет",
        Key::Nothing => "нет",
        Key::UnitKm => "км",
        Key::UnitMiles => "миль",
        Key::Reading => "{value} {unit}",
        Key::FactLine => "{label}: {value}",
        Key::Comma => ", ",
        Key::ListSeparator => "; ",
        Key::Utc => "{date} {time} UTC",

        // The head of the report.
        Key::ReportTitle => "Отчёт об истории автомобиля — VIN {vin}",
        Key::LabelVehicle => "Автомобиль",
        Key::Vehicle => "{make} {model}, {year} модельный год, {powertrain}, выпущен {date}",
        Key::NoFactory => "в истории нет заводской записи",
        Key::LabelComplete => "Полнота",
        Key::Complete => {
            "проверено: все записи об этом VIN в журнале {origin} на {time} (размер дерева {size}): {records}"
        }
        Key::CompleteEmpty => {
            "проверено: в журнале {origin} нет ни одной записи об этом VIN на {time} (размер дерева {size})"
        }
        Key::LabelWitnesses => "Свидетели",
        Key::WitnessesOwn => "эту контрольную точку {cosigned}",
        Key::WitnessesLater => "дерево размера {m}, содержащее эту историю, {cosigned}",
        Key::WitnessesUnchecked => {
            "не проверялись (ключи свидетелей не заданы): история опирается только на подпись журнала"
        }
        Key::WitnessedUnchecked => {
            "приложена контрольная точка размера {m} с подписями свидетелей, но они не проверялись (ключи свидетелей не заданы)"
        }
        Key::WitnessCosignedAt => "{name}: подписал {time}",
        Key::WitnessMissing => "{name}: подписи нет",
        Key::WitnessBad => "{name}: неверная подпись",
        Key::LabelStatus => "Статус",
        Key::StatusClean => "нет отметок о повреждениях, нет предупреждений",
        Key::StatusAttention => {
            "ВНИМАНИЕ: есть отметки о повреждениях или предупреждения, см. ниже"
        }

        // Summary lines.
        Key::LabelBrands => "Отметки",
        Key::BrandSet => "{brand} (установлена записью {index}, {date})",
        Key::LabelDamage => "Повреждения",
        Key::DamageRecords => {
            "{n} запись о повреждении|{n} записи о повреждениях|{n} записей о повреждениях"
        }
        Key::DamageKinds => {
            "ДТП (повреждение кузова): {accident}; затопление: {flood}; пожар: {fire}"
        }
        Key::LabelOwnership => "Владельцы",
        Key::Transfers => "{n} смена владельца|{n} смены владельца|{n} смен владельца",
        Key::ForExport => "для экспорта: {n}",
        Key::LabelRegistration => "Регистрация",
        Key::Registered => "зарегистрирован {date} в {region} ({use})",
        Key::Deregistered => "снят с учёта {date} в {region}: {reason}",
        Key::NoRegistration => "регистраций нет",
        Key::LabelOdometer => "Пробег",
        Key::OdometerLast => "последнее показание {reading}, {date} (запись {index})",
        Key::Readings => "{n} показание|{n} показания|{n} показаний",
        Key::NoRollback => "скручивания пробега не отмечено",
        Key::Rollbacks => {
            "СКРУЧИВАНИЕ пробега отмечено в записи {entries}|СКРУЧИВАНИЕ пробега отмечено в записях {entries}|СКРУЧИВАНИЕ пробега отмечено в записях {entries}"
        }
        Key::NotActualMileage => "отметка: одометр показывает не фактический пробег",
        Key::ClusterChange => {
            "в записи {index} заменена приборная панель: показания до и после замены не сравниваются"
        }
        Key::NoOdometer => "показаний пробега нет",
        Key::LabelService => "Обслуживание",
        Key::ServiceRecords => {
            "{n} запись о техобслуживании|{n} записи о техобслуживании|{n} записей о техобслуживании"
        }
        Key::ComponentChanges => "{n} замена агрегата|{n} замены агрегатов|{n} замен агрегатов",
        Key::LabelInspections => "Осмотры",
        Key::InspectionLine => "{date}, {protocol}: {verdict}; {passed} (запись {index})",
        Key::PassedOf => "пройдено {passed} из {total}",
        Key::Advisories => "{n} замечание|{n} замечания|{n} замечаний",
        Key::FailedCount => "не пройдено: {n}",
        Key::NotApplicableCount => "неприменимо: {n}",
        Key::GroupLine => "{group}: {counts}",
        Key::OtherItems => "прочие пункты",
        Key::NoInspection => "осмотров нет",
        Key::LabelExport => "Экспорт",
        Key::ExportLicenseLine => {
            "экспортная лицензия {number} в {country}, {date} (запись {index})"
        }
        Key::CustomsLine => {
            "таможенное оформление ({direction}), {port}, {country}, {date} (запись {index})"
        }
        Key::NoExport => "нет ни экспортной лицензии, ни таможенного оформления",
        Key::LabelCompliance => "Соответствие",
        Key::ComplianceLine => {
            "сертификат {number}: {standard} для {country}, {date} (запись {index})"
        }
        Key::LabelClaims => "Претензии",
        Key::ClaimLine => "претензия {number}: {defect} — {outcome} (запись {index})",
        Key::LabelCorrections => "Исправления",
        Key::CorrectionLine => "запись {index} исправила запись {target} ({kind}): {reason}",
        Key::WithdrawalLine => "запись {index} отозвала запись {target} ({kind}): {reason}",
        Key::LabelFlags => "Предупреждения",
        Key::FlagAt => "{flag}: запись {entries}|{flag}: записи {entries}|{flag}: записи {entries}",

        // The timeline.
        Key::LabelTimeline => "Хронология",
        Key::EntryHead => "{date}  {kind} — запись {index}",
        Key::EntryRef => "запись {index}",
        Key::EntryKind => "запись {index} ({kind})",
        Key::SignedBy => "подписано: {name} ({role}, ключ {key})",
        Key::SignedAnonymously => "подписано ключом {key} ({role})",
        Key::CorrectedBy => "ИСПРАВЛЕНО записью {index}",
        Key::WithdrawnBy => "ОТОЗВАНО записью {index}",
        Key::FlagLine => "ПРЕДУПРЕЖДЕНИЕ: {text}",
        Key::Document => "документ: {kind}, {media}, {language}, SHA-256 {hash}",
        Key::ChangeLine => "{label}: {before} → {after}",
        Key::NoChange => "показанные сведения не изменились",
        Key::WithdrawsIt => "отзывает её: её сведения больше не учитываются",
        Key::ItemResult => "{item}: {outcome}",
        Key::ItemResultNote => "{item}: {outcome} — {note}",

        // Field labels.
        Key::FDate => "Дата",
        Key::FMakeModel => "Марка и модель",
        Key::FModelYear => "Модельный год",
        Key::FManufactured => "Дата выпуска",
        Key::FPowertrain => "Силовая установка",
        Key::FEngineNumber => "Номер двигателя",
        Key::FMotorNumber => "Номер тягового электродвигателя",
        Key::FEmission => "Экологический класс",
        Key::FCoc => "Сертификат соответствия (SHA-256)",
        Key::FFirstRegistration => "Первая регистрация",
        Key::FRegion => "Регион",
        Key::FUse => "Использование",
        Key::FSeller => "Продавец (обязательство)",
        Key::FBuyer => "Покупатель (обязательство)",
        Key::FForExport => "Продан на экспорт",
        Key::FOdometer => "Пробег",
        Key::FReadFrom => "Источник показания",
        Key::FWorkshop => "Сервис",
        Key::FWorkDone => "Выполненные работы",
        Key::FParts => "Установленные детали",
        Key::FComponent => "Агрегат",
        Key::FOldNumber => "Прежний номер",
        Key::FNewNumber => "Новый номер",
        Key::FReason => "Причина",
        Key::FDamage => "Повреждение",
        Key::FEstablishedBy => "Кем установлено",
        Key::FDescription => "Описание",
        Key::FProtocol => "Протокол",
        Key::FTitle => "Название",
        Key::FItems => "Пунктов",
        Key::FAccreditation => "Аккредитация",
        Key::FVerdict => "Заключение",
        Key::FResults => "Результаты",
        Key::FFinding => "Результат пункта",
        Key::FLicenseNumber => "Номер лицензии",
        Key::FDestination => "Страна назначения",
        Key::FIssuedBy => "Выдана",
        Key::FValidUntil => "Действительна до",
        Key::FDeclarationNumber => "Номер декларации",
        Key::FDirection => "Направление",
        Key::FCountry => "Страна",
        Key::FPort => "Пункт пропуска",
        Key::FStandard => "Стандарт",
        Key::FCertificateNumber => "Номер сертификата",
        Key::FClaimNumber => "Номер претензии",
        Key::FDefect => "Дефект",
        Key::FOutcome => "Итог",
        Key::FConcerns => "Относится к записи",
        Key::FAmount => "Сумма",
        Key::FClaimant => "Заявитель (обязательство)",
        Key::FCorrects => "Исправляет",
        Key::FChanges => "Изменения",
        Key::FKeyBytes => "Ключ",
        Key::FRole => "Роль",
        Key::FName => "Название",

        // Record kinds.
        Key::KindFactory => "Заводская запись",
        Key::KindRegistration => "Регистрация",
        Key::KindOwnershipTransfer => "Смена владельца",
        Key::KindOdometerReading => "Показание одометра",
        Key::KindMaintenance => "Техобслуживание",
        Key::KindComponentChange => "Замена агрегата",
        Key::KindDamage => "Повреждение",
        Key::KindInspection => "Осмотр",
        Key::KindInspectionProtocol => "Протокол осмотра",
        Key::KindExportLicense => "Экспортная лицензия",
        Key::KindCustomsClearance => "Таможенное оформление",
        Key::KindDeregistration => "Снятие с учёта",
        Key::KindCompliance => "Сертификат соответствия",
        Key::KindClaim => "Претензия",
        Key::KindCorrection => "Исправление",
        Key::KindKeyEnrollment => "Регистрация ключа",
        Key::KindKeyRevocation => "Отзыв ключа",
        Key::KindOther => "Запись нового вида",

        // Roles.
        Key::RoleAdmin => "администратор журнала",
        Key::RoleRegistry => "регистрирующий орган",
        Key::RoleManufacturer => "изготовитель",
        Key::RoleInspectionBody => "орган технического осмотра",
        Key::RoleExporter => "экспортёр",
        Key::RoleWorkshop => "автосервис",
        Key::RoleCustoms => "таможня",
        Key::RoleRecovery => "ключ восстановления журнала",
        Key::RoleOther => "подписант новой роли",

        // Record values.
        Key::PtPetrol => "бензиновый двигатель",
        Key::PtDiesel => "дизельный двигатель",
        Key::PtHybrid => "гибрид",
        Key::PtPlugInHybrid => "подключаемый гибрид",
        Key::PtBatteryElectric => "электромобиль",
        Key::PtFuelCell => "водородные топливные элементы",
        Key::PtNaturalGas => "природный газ",
        Key::UsePrivate => "личное",
        Key::UseCommercial => "коммерческое",
        Key::UseTaxi => "такси",
        Key::UseRental => "прокат",
        Key::CompEngine => "двигатель",
        Key::CompDriveMotor => "тяговый электродвигатель",
        Key::CompBattery => "тяговая батарея",
        Key::CompInstrumentCluster => "приборная панель (одометр)",
        Key::DmgStructural => "повреждение кузова",
        Key::DmgFloodFreshWater => "затопление (пресная вода)",
        Key::DmgFloodSaltWater => "затопление (морская вода)",
        Key::DmgFire => "пожар",
        Key::DmgHail => "град",
        Key::DmgTheftRecovery => "найден после угона",
        Key::DmgTotalLoss => "полная гибель",
        Key::DmgNotActualMileage => "пробег не фактический",
        Key::SrcInsuranceClaim => "страховой случай",
        Key::SrcPoliceReport => "протокол полиции",
        Key::SrcInspection => "осмотр",
        Key::SrcWorkshop => "автосервис",
        Key::SrcAuction => "аукцион",
        Key::SrcRegistry => "регистрирующий орган",
        Key::DeregEndOfLife => "утилизация",
        Key::DeregExport => "вывоз за границу",
        Key::DeregTheft => "угон",
        Key::DeregOther => "иная причина",
        Key::OdoDashboard => "приборная панель",
        Key::OdoObd => "диагностический разъём (OBD)",
        Key::OdoInspection => "осмотр",
        Key::OdoService => "техобслуживание",
        Key::OutPass => "пройдено",
        Key::OutFail => "не пройдено",
        Key::OutAdvisory => "замечание",
        Key::OutNotApplicable => "неприменимо",
        Key::VerdictPass => "пройден",
        Key::VerdictFail => "не пройден",
        Key::VerdictConditional => "пройден с условиями",
        Key::DirExport => "вывоз",
        Key::DirImport => "ввоз",
        Key::ClaimFiled => "подана",
        Key::ClaimRefunded => "деньги возвращены",
        Key::ClaimPartlyRefunded => "деньги возвращены частично",
        Key::ClaimRejected => "отклонена",
        Key::ClaimWithdrawn => "отозвана",
        Key::DocReport => "отчёт",
        Key::DocCertificate => "сертификат",
        Key::DocPhoto => "фотография",
        Key::DocInvoice => "счёт",
        Key::DocEvidence => "доказательство",
        Key::DocAfterSales => "подтверждение послепродажного обслуживания",
        Key::DocLicense => "лицензия",
        Key::DocDeclaration => "декларация",
        Key::DocOther => "иной документ",
        Key::LangNone => "без текста",
        Key::LangZh => "китайский",
        Key::LangEn => "английский",

        // Flags.
        Key::FlagOdometerRollback => "скручивание пробега",
        Key::FlagEngineNumberMismatch => "несовпадение номера двигателя",
        Key::FlagActivityAfterDeregistration => "записи после снятия с учёта",
        Key::FlagEarlyExport => "ранний экспорт",
        Key::FlagOther => "предупреждение нового вида",
        Key::FlagRollbackText => {
            "скручивание пробега: {reading} меньше, чем {earlier} в записи {index}"
        }
        Key::FlagEngineText => {
            "несовпадение номера двигателя: {found} вместо {expected} из записи {index}"
        }
        Key::FlagDeregisteredText => {
            "записи после снятия с учёта: автомобиль снят с учёта записью {index} ({reason})"
        }
        Key::FlagEarlyExportText => {
            "ранний экспорт: через {days} дн. после первой регистрации {date} (запись {index}), без подтверждения послепродажного обслуживания"
        }

        // The closing lines.
        Key::CompleteLine => "полная история VIN {vin} на размер дерева {size}: {records}",
        Key::Records => "{n} запись|{n} записи|{n} записей",
        Key::NoRecordsLine => "нет записей о VIN {vin} на размер дерева {size}",
        Key::WitnessedLine => {
            "заверено свидетелями на размере дерева {m} (продолжает размер {n}): {cosigned}"
        }
        Key::WitnessedUncheckedLine => {
            "заверено свидетелями на размере дерева {m} (продолжает размер {n}); подписи не проверялись (--witness не задан)"
        }
        Key::CheckpointCosignedLine => "контрольная точка: {cosigned}",
        Key::CosignedBy => "подписали {valid} из {total} свидетелей (кворум {quorum})",
        Key::NotVerified => "НЕ ПРОВЕРЕНО: не полагайтесь на эту историю.",

        // The HTML page and its verdict.
        Key::HtmlSummary => "Сводка",
        Key::HtmlPending => {
            "Ещё не проверено: эта страница проверяет историю в вашем браузере при открытии, для этого нужен JavaScript."
        }
        Key::HtmlVerified => {
            "ПРОВЕРЕНО в этом браузере: {records} VIN {vin}, полная на размер дерева {size}, подписана закреплённым вами ключом журнала ({fingerprint}); якоря доверия из {source}."
        }
        Key::HtmlWitnessesChecked => {
            "Заверено {cosigned} из {total} закреплённых свидетелей (кворум {quorum}): {names}."
        }
        Key::HtmlWitnessesNone => {
            "Ключи свидетелей не закреплены: история держится только на подписи журнала."
        }
        Key::HtmlFailed => "НЕ ПРОВЕРЕНО: {error}. Не полагайтесь на этот отчёт.",
        Key::HtmlMismatch => {
            "проверенные записи (записи {verified}) не совпадают с записями этого отчёта (записи {shown})"
        }
        Key::HtmlNoAnchors => {
            "НЕ ПРОВЕРЕНО: нет якорей доверия. Откройте страницу с ключом журнала, которому вы доверяете, после # в адресе (#log=KEY&witness=KEY&quorum=N, в URL-кодировке) или выберите файл ключей ниже."
        }
        Key::HtmlClaimed => {
            "Пакет утверждает, что подписан ключом журнала {fingerprint}: не проверено, сравните с ключом, которому вы доверяете."
        }
        Key::HtmlFromFragment => "адреса страницы",
        Key::HtmlFromFile => "файла ключей {name}",
        Key::HtmlKeysFile => {
            "Проверить с файлом ключей (по ключу в строке: сначала ключ журнала, затем ключи свидетелей; по желанию строка quorum N):"
        }
        Key::HtmlKeysFileEmpty => "в файле ключей нет ключа журнала",
        Key::HtmlBadQuorum => "кворум {value} не является целым числом",
        Key::HtmlBundleNote => {
            "Проверяемая история находится внутри этой страницы (элемент script vledger-bundle): любой может извлечь её и проверить с помощью vledger-verify."
        }
        Key::HtmlChartTitle => "Показания одометра во времени",
        Key::HtmlChartRollback => "показание с отметкой о скручивании одометра",
        Key::HtmlChartNone => "в этой истории нет показаний одометра",
    }
}
