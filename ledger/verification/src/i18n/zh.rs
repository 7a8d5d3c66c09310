//! The Chinese (simplified) catalogue.

use super::key::Key;

/// The Chinese text of `key`.
#[allow(clippy::too_many_lines)] // one arm per key, by design
pub(super) const fn text(key: Key) -> &'static str {
    match key {
        // Words and units.
        Key::Yes => "是",
        Key::No => "否",
        Key::Nothing => "无",
        Key::UnitKm => "公里",
        Key::UnitMiles => "英里",
        Key::Reading => "{value} {unit}",
        Key::FactLine => "{label}：{value}",
        Key::Comma => "，",
        Key::ListSeparator => "；",
        Key::Utc => "{date} {time}（UTC）",

        // The head of the report.
        Key::ReportTitle => "车辆历史报告 — 车辆识别代号（VIN）{vin}",
        Key::LabelVehicle => "车辆",
        Key::Vehicle => "{make} {model}，{year} 年款，{powertrain}，{date} 生产",
        Key::NoFactory => "本历史中没有出厂记录",
        Key::LabelComplete => "完整性",
        Key::Complete => {
            "已验证：日志 {origin} 截至 {time}（树大小 {size}）中关于该车的全部记录：{records}"
        }
        Key::CompleteEmpty => {
            "已验证：截至 {time}（树大小 {size}），日志 {origin} 中没有关于该车的任何记录"
        }
        Key::LabelWitnesses => "见证方",
        Key::WitnessesOwn => "该检查点{cosigned}",
        Key::WitnessesLater => "包含本历史的树（大小 {m}）{cosigned}",
        Key::WitnessesUnchecked => "未核验（未提供见证方公钥）：本历史仅以日志签名为依据",
        Key::WitnessedUnchecked => {
            "附有树大小为 {m} 的见证方共同签署检查点，但未核验其签名（未提供见证方公钥）"
        }
        Key::WitnessCosignedAt => "{name}：于 {time} 共同签署",
        Key::WitnessMissing => "{name}：缺失",
        Key::WitnessBad => "{name}：签名无效",
        Key::LabelStatus => "状态",
        Key::StatusClean => "无品牌标记，无警示",
        Key::StatusAttention => "注意：存在品牌标记或警示，详见下文",

        // Summary lines.
        Key::LabelBrands => "品牌标记",
        Key::BrandSet => "{brand}（由第 {index} 条记录设定，{date}）",
        Key::LabelDamage => "损伤",
        Key::DamageRecords => "{n} 条损伤记录",
        Key::DamageKinds => "事故（结构损伤）：{accident}；水淹：{flood}；火烧：{fire}",
        Key::LabelOwnership => "所有权",
        Key::Transfers => "{n} 次所有权转移",
        Key::ForExport => "其中 {n} 次为出口",
        Key::LabelRegistration => "登记",
        Key::Registered => "{date} 在 {region} 登记，使用性质：{use}",
        Key::Deregistered => "{date} 在 {region} 注销：{reason}",
        Key::NoRegistration => "无登记记录",
        Key::LabelOdometer => "里程表",
        Key::OdometerLast => "最近读数 {reading}，{date}（第 {index} 条记录）",
        Key::Readings => "共 {n} 次读数",
        Key::NoRollback => "未发现里程回调警示",
        Key::Rollbacks => "警示：第 {entries} 条记录被标记为里程回调",
        Key::NotActualMileage => "品牌标记：里程表读数不是实际行驶里程",
        Key::ClusterChange => "第 {index} 条记录更换了仪表总成：更换前后的读数不作比较",
        Key::NoOdometer => "无里程读数记录",
        Key::LabelService => "保养维修",
        Key::ServiceRecords => "{n} 条保养记录",
        Key::ComponentChanges => "{n} 次部件更换",
        Key::LabelInspections => "检验",
        Key::InspectionLine => "{date}，{protocol}：{verdict}；{passed}（第 {index} 条记录）",
        Key::PassedOf => "{total} 项中 {passed} 项合格",
        Key::Advisories => "{n} 项提示",
        Key::FailedCount => "{n} 项不合格",
        Key::NotApplicableCount => "{n} 项不适用",
        Key::GroupLine => "{group}：{counts}",
        Key::OtherItems => "其他项目",
        Key::NoInspection => "无检验记录",
        Key::LabelExport => "出口",
        Key::ExportLicenseLine => {
            "出口许可证 {number}，目的国 {country}，{date}（第 {index} 条记录）"
        }
        Key::CustomsLine => {
            "海关通关（{direction}），{port}，{country}，{date}（第 {index} 条记录）"
        }
        Key::NoExport => "无出口许可证及海关通关记录",
        Key::LabelCompliance => "合规认证",
        Key::ComplianceLine => {
            "证书 {number}：{standard}，适用于 {country}，{date}（第 {index} 条记录）"
        }
        Key::LabelClaims => "索赔",
        Key::ClaimLine => "索赔 {number}：{defect} — {outcome}（第 {index} 条记录）",
        Key::LabelCorrections => "更正",
        Key::CorrectionLine => "第 {index} 条记录更正了第 {target} 条记录（{kind}）：{reason}",
        Key::WithdrawalLine => "第 {index} 条记录撤回了第 {target} 条记录（{kind}）：{reason}",
        Key::LabelFlags => "警示",
        Key::FlagAt => "{flag}：第 {entries} 条记录",

        // The timeline.
        Key::LabelTimeline => "时间线",
        Key::EntryHead => "{date}  {kind} — 第 {index} 条记录",
        Key::EntryRef => "第 {index} 条记录",
        Key::EntryKind => "第 {index} 条记录（{kind}）",
        Key::SignedBy => "签署方：{name}（{role}，密钥 {key}）",
        Key::SignedAnonymously => "签署方：密钥 {key}（{role}）",
        Key::CorrectedBy => "已被第 {index} 条记录更正",
        Key::WithdrawnBy => "已被第 {index} 条记录撤回",
        Key::FlagLine => "警示：{text}",
        Key::Document => "文件：{kind}，{media}，{language}，SHA-256 {hash}",
        Key::ChangeLine => "{label}：{before} → {after}",
        Key::NoChange => "所列事项没有变化",
        Key::WithdrawsIt => "撤回原记录：其内容不再有效",
        Key::ItemResult => "{item}：{outcome}",
        Key::ItemResultNote => "{item}：{outcome} — {note}",

        // Field labels.
        Key::FDate => "日期",
        Key::FMakeModel => "品牌和型号",
        Key::FModelYear => "年款",
        Key::FManufactured => "生产日期",
        Key::FPowertrain => "动力类型",
        Key::FEngineNumber => "发动机号",
        Key::FMotorNumber => "驱动电机号",
        Key::FEmission => "排放标准",
        Key::FCoc => "车辆合格证（SHA-256）",
        Key::FFirstRegistration => "初次登记日期",
        Key::FRegion => "地区",
        Key::FUse => "使用性质",
        Key::FSeller => "卖方（承诺值）",
        Key::FBuyer => "买方（承诺值）",
        Key::FForExport => "出口销售",
        Key::FOdometer => "里程表",
        Key::FReadFrom => "读取方式",
        Key::FWorkshop => "维修站",
        Key::FWorkDone => "作业内容",
        Key::FParts => "更换零件",
        Key::FComponent => "部件",
        Key::FOldNumber => "原编号",
        Key::FNewNumber => "新编号",
        Key::FReason => "原因",
        Key::FDamage => "损伤",
        Key::FEstablishedBy => "认定方",
        Key::FDescription => "描述",
        Key::FProtocol => "检验规程",
        Key::FTitle => "名称",
        Key::FItems => "项目数",
        Key::FAccreditation => "资质编号",
        Key::FVerdict => "结论",
        Key::FResults => "结果",
        Key::FFinding => "检查发现",
        Key::FLicenseNumber => "许可证号",
        Key::FDestination => "目的国",
        Key::FIssuedBy => "签发机关",
        Key::FValidUntil => "有效期至",
        Key::FDeclarationNumber => "报关单号",
        Key::FDirection => "方向",
        Key::FCountry => "国家",
        Key::FPort => "口岸",
        Key::FStandard => "标准",
        Key::FCertificateNumber => "证书编号",
        Key::FClaimNumber => "索赔编号",
        Key::FDefect => "缺陷",
        Key::FOutcome => "结果",
        Key::FConcerns => "涉及记录",
        Key::FAmount => "金额",
        Key::FClaimant => "索赔人（承诺值）",
        Key::FCorrects => "更正对象",
        Key::FChanges => "变更",
        Key::FKeyBytes => "密钥",
        Key::FRole => "角色",
        Key::FName => "名称",

        // Record kinds.
        Key::KindFactory => "出厂记录",
        Key::KindRegistration => "登记",
        Key::KindOwnershipTransfer => "所有权转移",
        Key::KindOdometerReading => "里程读数",
        Key::KindMaintenance => "保养维修",
        Key::KindComponentChange => "部件更换",
        Key::KindDamage => "损伤",
        Key::KindInspection => "检验",
        Key::KindInspectionProtocol => "检验规程",
        Key::KindExportLicense => "出口许可证",
        Key::KindCustomsClearance => "海关通关",
        Key::KindDeregistration => "注销登记",
        Key::KindCompliance => "合规证书",
        Key::KindClaim => "索赔",
        Key::KindCorrection => "更正",
        Key::KindKeyEnrollment => "密钥登记",
        Key::KindKeyRevocation => "密钥吊销",
        Key::KindOther => "新类型的记录",

        // Roles.
        Key::RoleAdmin => "日志管理员",
        Key::RoleRegistry => "登记机关",
        Key::RoleManufacturer => "制造商",
        Key::RoleInspectionBody => "检验机构",
        Key::RoleExporter => "出口商",
        Key::RoleWorkshop => "维修站",
        Key::RoleCustoms => "海关",
        Key::RoleRecovery => "日志恢复密钥",
        Key::RoleOther => "新角色的签署方",

        // Record values.
        Key::PtPetrol => "汽油",
        Key::PtDiesel => "柴油",
        Key::PtHybrid => "混合动力",
        Key::PtPlugInHybrid => "插电式混合动力",
        Key::PtBatteryElectric => "纯电动",
        Key::PtFuelCell => "燃料电池",
        Key::PtNaturalGas => "天然气",
        Key::UsePrivate => "非营运（私人）",
        Key::UseCommercial => "营运",
        Key::UseTaxi => "出租客运",
        Key::UseRental => "租赁",
        Key::CompEngine => "发动机",
        Key::CompDriveMotor => "驱动电机",
        Key::CompBattery => "动力电池",
        Key::CompInstrumentCluster => "仪表总成（里程表）",
        Key::DmgStructural => "结构损伤",
        Key::DmgFloodFreshWater => "水淹（淡水）",
        Key::DmgFloodSaltWater => "水淹（海水）",
        Key::DmgFire => "火烧",
        Key::DmgHail => "冰雹",
        Key::DmgTheftRecovery => "盗抢后追回",
        Key::DmgTotalLoss => "全损",
        Key::DmgNotActualMileage => "非实际里程",
        Key::SrcInsuranceClaim => "保险理赔",
        Key::SrcPoliceReport => "警方报告",
        Key::SrcInspection => "检验",
        Key::SrcWorkshop => "维修站",
        Key::SrcAuction => "拍卖行",
        Key::SrcRegistry => "登记机关",
        Key::DeregEndOfLife => "报废",
        Key::DeregExport => "出口",
        Key::DeregTheft => "被盗",
        Key::DeregOther => "其他原因",
        Key::OdoDashboard => "仪表盘",
        Key::OdoObd => "车载诊断（OBD）接口",
        Key::OdoInspection => "检验",
        Key::OdoService => "保养",
        Key::OutPass => "合格",
        Key::OutFail => "不合格",
        Key::OutAdvisory => "提示",
        Key::OutNotApplicable => "不适用",
        Key::VerdictPass => "合格",
        Key::VerdictFail => "不合格",
        Key::VerdictConditional => "有条件合格",
        Key::DirExport => "出口",
        Key::DirImport => "进口",
        Key::ClaimFiled => "已提出",
        Key::ClaimRefunded => "已全额退款",
        Key::ClaimPartlyRefunded => "已部分退款",
        Key::ClaimRejected => "已驳回",
        Key::ClaimWithdrawn => "已撤回",
        Key::DocReport => "报告",
        Key::DocCertificate => "证书",
        Key::DocPhoto => "照片",
        Key::DocInvoice => "发票",
        Key::DocEvidence => "证据",
        Key::DocAfterSales => "售后服务确认",
        Key::DocLicense => "许可证",
        Key::DocDeclaration => "申报单",
        Key::DocOther => "其他文件",
        Key::LangNone => "无文字",
        Key::LangZh => "中文",
        Key::LangEn => "英文",

        // Flags.
        Key::FlagOdometerRollback => "里程回调",
        Key::FlagEngineNumberMismatch => "发动机号不符",
        Key::FlagActivityAfterDeregistration => "注销后仍有活动",
        Key::FlagEarlyExport => "提前出口",
        Key::FlagOther => "新类型的警示",
        Key::FlagRollbackText => "里程回调：读数 {reading} 低于第 {index} 条记录的 {earlier}",
        Key::FlagEngineText => "发动机号不符：{found} 与第 {index} 条记录的 {expected} 不同",
        Key::FlagDeregisteredText => "注销后仍有活动：该车已于第 {index} 条记录注销（{reason}）",
        Key::FlagEarlyExportText => {
            "提前出口：距 {date} 初次登记（第 {index} 条记录）仅 {days} 天，且无售后服务确认"
        }

        // The closing lines.
        Key::CompleteLine => "车辆 {vin} 截至树大小 {size} 的完整历史：{records}",
        Key::Records => "{n} 条记录",
        Key::NoRecordsLine => "截至树大小 {size}，车辆 {vin} 没有任何记录",
        Key::WitnessedLine => "已在树大小 {m} 处获见证（包含树大小 {n}）：{cosigned}",
        Key::WitnessedUncheckedLine => {
            "已在树大小 {m} 处获见证（包含树大小 {n}）；未核验共同签名（未提供 --witness）"
        }
        Key::CheckpointCosignedLine => "检查点{cosigned}",
        Key::CosignedBy => "已由 {total} 个见证方中的 {valid} 个共同签署（法定数 {quorum}）",
        Key::NotVerified => "未通过验证：请勿依赖此历史。",

        // The HTML page and its verdict.
        Key::HtmlSummary => "摘要",
        Key::HtmlPending => {
            "尚未验证：本页面打开时会在您的浏览器中验证历史记录，这需要启用 JavaScript。"
        }
        Key::HtmlVerified => {
            "已在本浏览器中验证：VIN {vin} 的 {records}，截至树大小 {size} 完整，由您固定的日志密钥（{fingerprint}）签名；信任锚来自{source}。"
        }
        Key::HtmlWitnessesChecked => {
            "由 {total} 个固定见证者中的 {cosigned} 个共同签名（法定数 {quorum}）：{names}。"
        }
        Key::HtmlWitnessesNone => "未固定见证者密钥：历史记录仅依赖日志的签名。",
        Key::HtmlFailed => "未通过验证：{error}。请勿依赖本报告。",
        Key::HtmlMismatch => {
            "已验证的记录（条目 {verified}）与本报告显示的记录（条目 {shown}）不一致"
        }
        Key::HtmlNoAnchors => {
            "未通过验证：没有信任锚。请在页面地址的 # 之后附上您信任的日志密钥再打开本页面（#log=KEY&witness=KEY&quorum=N，需 URL 编码），或在下方选择密钥文件。"
        }
        Key::HtmlClaimed => {
            "该数据包声称由日志密钥 {fingerprint} 签名：未经验证，请与您信任的密钥比对。"
        }
        Key::HtmlFromFragment => "页面地址",
        Key::HtmlFromFile => "密钥文件 {name}",
        Key::HtmlKeysFile => {
            "用密钥文件验证（每行一个密钥：第一行为日志密钥，其后为见证者密钥；可选一行 quorum N）："
        }
        Key::HtmlKeysFileEmpty => "密钥文件中没有日志密钥",
        Key::HtmlBadQuorum => "法定数 {value} 不是整数",
        Key::HtmlBundleNote => {
            "此处验证的历史记录就嵌在本页面中（script 元素 vledger-bundle）：任何人都可以取出并用 vledger-verify 验证。"
        }
        Key::HtmlChartTitle => "里程表读数随时间变化",
        Key::HtmlChartRollback => "被标记为里程表回调的读数",
        Key::HtmlChartNone => "此历史记录中没有里程表读数",
    }
}
